using System.Globalization;
using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using MiniExcelLibs;

namespace CrmPlatform.Tests.Imports;

/// <summary>People imported from files as jobs: dry run, run, report, upsert, revert, each tenant on its own.</summary>
public sealed class ImportTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    /// <summary>Each test in its own tenant, so the totals are only its own.</summary>
    private async Task<HttpClient> NewTenantClientAsync() => Platform.ClientFor(Platform.Contacts, (await Platform.Identity.NewTenantAsync()).Token);

    private static string NewEmail(string name) => $"{name}-{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task A_dry_run_reports_what_the_run_then_does_and_writes_nothing()
    {
        var client = await NewTenantClientAsync();
        var (existing, unchanged, fresh, invalid) = (NewEmail("existing"), NewEmail("same"), NewEmail("new"), "not-an-address");
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/api/v1/people", new { firstName = "Old", lastName = "Name", email = existing })).Status);
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/api/v1/people", new { firstName = "Same", lastName = "Person", email = unchanged })).Status);
        var csv = $"""
            First Name,Last Name,Email,Phone,Tags
            Neu,Person,{fresh},+49 30 1234567,vip;imported
            New,Name,{existing.ToUpperInvariant()},,
            Same,Person,{unchanged},,
            Again,Person,{fresh},,
            Bad,Row,{invalid},,
            """;
        var upload = await client.UploadCsvAsync(csv);
        Assert.Equal(HttpStatusCode.Created, upload.Status);
        var id = upload.Body.Id();
        Assert.Equal("uploaded", upload.Body.Str("status"));
        Assert.Equal("firstName", upload.Body.GetProperty("mapping").GetProperty("First Name").GetString());

        var dry = await client.RunAsync(id, "dry-run");
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        Assert.Equal((5, 1, 1, 1, 1, 1), (dry.Total("rows"), dry.Total("created"), dry.Total("updated"), dry.Total("unchanged"), dry.Total("duplicates"), dry.Total("rejected")));
        Assert.Null(await client.PersonByEmailAsync(fresh));
        Assert.Equal("Old", (await client.PersonByEmailAsync(existing))!.Value.Str("firstName"));

        var run = await client.RunAsync(id);
        Assert.False(run.GetProperty("dryRun").GetBoolean());
        Assert.Equal((5, 1, 1, 1, 1, 1), (run.Total("processed"), run.Total("created"), run.Total("updated"), run.Total("unchanged"), run.Total("duplicates"), run.Total("rejected")));
        Assert.Equal(100, run.GetProperty("percent").GetDouble());
        Assert.True(run.GetProperty("rowsPerSecond").GetDouble() > 0);
        Assert.Equal(0, run.GetProperty("etaSeconds").GetDouble());

        var created = (await client.PersonByEmailAsync(fresh))!.Value;
        Assert.Equal(("Neu", "+49301234567"), (created.Str("firstName"), created.Str("phone")));
        Assert.Equal(["imported", "vip"], created.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var updated = (await client.PersonByEmailAsync(existing))!.Value;
        Assert.Equal(("New", 2), (updated.Str("firstName"), updated.GetProperty("version").GetInt32()));
        Assert.Equal(["CrmPlatform.Contracts.Contacts.V1.PersonCreated"], await ImportTestClient.EventsAboutAsync(Platform, created.Id()));
        Assert.Equal(["CrmPlatform.Contracts.Contacts.V1.PersonCreated", "CrmPlatform.Contracts.Contacts.V1.PersonUpdated"],
            await ImportTestClient.EventsAboutAsync(Platform, updated.Id()));
        var audit = await client.GetJsonAsync($"/api/v1/audit?entityType=person&entityId={created.Id()}");
        Assert.Equal(HttpStatusCode.OK, audit.Status);
        Assert.Contains(audit.Body.GetProperty("items").EnumerateArray(), e => e.Str("action") == "created");

        // Once run, it does not run again.
        (await client.PostJsonAsync($"/api/v1/imports/{id}/run", new { })).AssertProblem(HttpStatusCode.Conflict);
        (await client.PostJsonAsync($"/api/v1/imports/{id}/dry-run", new { })).AssertProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Rejected_rows_are_downloadable_with_their_reasons_and_values()
    {
        var client = await NewTenantClientAsync();
        var csv = $"""
            firstName,lastName,email,language
            Good,Row,{NewEmail("good")},en
            ,Nameless,{NewEmail("nameless")},en
            Wrong,Language,{NewEmail("lang")},no-such-language-tag-at-all
            """;
        var id = (await client.UploadCsvAsync(csv)).Body.Id();
        var job = await client.RunAsync(id);
        Assert.Equal((1, 2), (job.Total("created"), job.Total("rejected")));

        var response = await client.GetAsync($"/api/v1/imports/{id}/rejected");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        using var csvReader = new CsvHelper.CsvReader(new StringReader(await response.Content.ReadAsStringAsync()), System.Globalization.CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        while (csvReader.Read())
        {
            rows.Add(csvReader.Parser.Record!);
        }
        Assert.Equal(["row", "reason", "firstName", "lastName", "email", "language"], rows[0]);
        Assert.Equal(3, rows.Count);
        Assert.Equal(("2", "firstName is required.", "", "Nameless"), (rows[1][0], rows[1][1], rows[1][2], rows[1][3]));
        Assert.Equal("3", rows[2][0]);
        Assert.StartsWith("language must be a BCP 47 language tag", rows[2][1]);
        Assert.Equal(("Wrong", "no-such-language-tag-at-all"), (rows[2][2], rows[2][5]));
    }

    [Fact]
    public async Task Upsert_by_external_id_creates_then_updates_and_create_only_flags_matches_as_duplicates()
    {
        var client = await NewTenantClientAsync();
        var (a, b) = (NewEmail("a"), NewEmail("b"));
        var first = (await client.UploadCsvAsync($"""
            external_id,first_name,last_name,email
            A-1,Anna,First,{a}
            B-2,Ben,First,{b}
            """, "fileName=first.csv&matchBy=external-id&externalIdSource=legacy")).Body;
        Assert.Equal("externalId", first.GetProperty("mapping").GetProperty("external_id").GetString());
        var run = await client.RunAsync(first.Id());
        Assert.Equal(2, run.Total("created"));
        var anna = (await client.GetJsonAsync("/api/v1/people/by-external-id/legacy/A-1")).Body;
        Assert.Equal(a, anna.Str("email"));

        // Matched by the external id even though the email changed.
        var renamed = NewEmail("a-renamed");
        var second = (await client.UploadCsvAsync($"""
            external_id,first_name,last_name,email
            A-1,Anna,Second,{renamed}
            B-2,Ben,First,{b}
            C-3,Cara,Second,{NewEmail("c")}
            """, "fileName=second.csv&matchBy=external-id&externalIdSource=legacy")).Body;
        run = await client.RunAsync(second.Id());
        Assert.Equal((1, 1, 1), (run.Total("created"), run.Total("updated"), run.Total("unchanged")));
        var annaNow = (await client.GetJsonAsync("/api/v1/people/by-external-id/legacy/A-1")).Body;
        Assert.Equal((anna.Id(), "Second", renamed), (annaNow.Id(), annaNow.Str("lastName"), annaNow.Str("email")));

        var createOnly = (await client.UploadCsvAsync($"""
            firstName,lastName,email
            Ben,Again,{b}
            Dora,New,{NewEmail("d")}
            """, "fileName=third.csv&mode=create-only")).Body;
        run = await client.RunAsync(createOnly.Id());
        Assert.Equal((1, 1, 0), (run.Total("created"), run.Total("duplicates"), run.Total("updated")));
        Assert.Equal("First", (await client.PersonByEmailAsync(b))!.Value.Str("lastName"));
    }

    [Fact]
    public async Task Duplicate_rows_are_listed_with_their_reasons_and_values()
    {
        var client = await NewTenantClientAsync();
        var email = NewEmail("grace");
        var existing = (await client.PostJsonAsync("/api/v1/people", new { firstName = "Grace", lastName = "Hopper", email }).CreatedAsync()).Id();
        var alan = NewEmail("alan");
        var id = (await client.UploadCsvAsync($"""
            firstName,lastName,email
            Grace,Hopper,{email}
            Alan,Turing,{alan}
            Alan,Turing,{alan}
            """, "fileName=people.csv&mode=create-only")).Body.Id();

        var dry = await client.RunAsync(id, "dry-run");
        Assert.Equal((1, 2), (dry.Total("created"), dry.Total("duplicates")));
        var response = await client.GetAsync($"/api/v1/imports/{id}/duplicates");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["row,reason,firstName,lastName,email", "1,", "3,"], lines.Select(l => l.StartsWith("row") ? l.TrimEnd('\r') : l[..2]));
        Assert.Contains(email, lines[1]);
        Assert.Contains(alan, lines[2]);
        Assert.Equal(existing, (await client.PersonByEmailAsync(email))!.Value.Id());
    }

    [Fact]
    public async Task Upsert_by_email_updates_the_person_with_that_address()
    {
        var client = await NewTenantClientAsync();
        var email = NewEmail("upsert");
        var id = (await client.PostJsonAsync("/api/v1/people", new { firstName = "Eve", lastName = "Before", email })).Body.Id();
        var upload = await client.UploadCsvAsync($"firstName,lastName,email,jobTitle\nEve,After,{email},CTO\n");
        Assert.True(upload.Status == HttpStatusCode.Created, upload.Body.ToString());
        var job = await client.RunAsync(upload.Body.Id());
        Assert.Equal(1, job.Total("updated"));
        var person = (await client.GetJsonAsync($"/api/v1/people/{id}")).Body;
        Assert.Equal(("After", "CTO"), (person.Str("lastName"), person.Str("jobTitle")));
    }

    [Fact]
    public async Task Revert_deletes_what_the_import_created_and_restores_what_it_updated()
    {
        var client = await NewTenantClientAsync();
        var (existing, fresh) = (NewEmail("kept"), NewEmail("created"));
        var keptId = (await client.PostJsonAsync("/api/v1/people", new { firstName = "Kept", lastName = "Original", email = existing, jobTitle = "Engineer" })).Body.Id();
        var id = (await client.UploadCsvAsync($"firstName,lastName,email,jobTitle\nKept,Changed,{existing},Manager\nNew,Person,{fresh},\n")).Body.Id();
        await client.RunAsync(id);
        var createdId = (await client.PersonByEmailAsync(fresh))!.Value.Id();

        var revert = await client.PostJsonAsync($"/api/v1/imports/{id}/revert", new { });
        Assert.Equal(HttpStatusCode.Accepted, revert.Status);
        var job = await client.WaitUntilAsync(id, "reverted");
        Assert.Equal(2, job.GetProperty("revert").GetProperty("reverted").GetInt32());

        (await client.GetJsonAsync($"/api/v1/people/{createdId}")).AssertProblem(HttpStatusCode.NotFound);
        var kept = (await client.GetJsonAsync($"/api/v1/people/{keptId}")).Body;
        Assert.Equal(("Original", "Engineer", 3), (kept.Str("lastName"), kept.Str("jobTitle"), kept.GetProperty("version").GetInt32()));
        Assert.Equal("CrmPlatform.Contracts.Contacts.V1.PersonDeleted", (await ImportTestClient.EventsAboutAsync(Platform, createdId))[^1]);
        Assert.Equal("CrmPlatform.Contracts.Contacts.V1.PersonUpdated", (await ImportTestClient.EventsAboutAsync(Platform, keptId))[^1]);
        (await client.PostJsonAsync($"/api/v1/imports/{id}/revert", new { })).AssertProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Revert_is_refused_while_people_the_import_wrote_were_changed_since()
    {
        var client = await NewTenantClientAsync();
        var (one, two) = (NewEmail("one"), NewEmail("two"));
        var id = (await client.UploadCsvAsync($"firstName,lastName,email\nOne,Imported,{one}\nTwo,Imported,{two}\n")).Body.Id();
        await client.RunAsync(id);
        var edited = (await client.PersonByEmailAsync(two))!.Value;
        Assert.Equal(HttpStatusCode.OK, (await client.PutJsonAsync($"/api/v1/people/{edited.Id()}",
            new { firstName = "Two", lastName = "Edited by hand", email = two }, edited.ETag())).Status);

        var refused = await client.PostJsonAsync($"/api/v1/imports/{id}/revert", new { });
        refused.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(1, refused.Body.GetProperty("changedCount").GetInt32());
        Assert.Equal([edited.Id()], refused.Body.GetProperty("changedPeople").EnumerateArray().Select(e => e.GetGuid()));
        Assert.NotNull(await client.PersonByEmailAsync(one));
        Assert.Equal("completed", (await client.GetJsonAsync($"/api/v1/imports/{id}")).Body.Str("status"));
    }

    [Fact]
    public async Task Progress_is_readable_while_a_run_goes_and_cancel_stops_it_between_batches()
    {
        var client = await NewTenantClientAsync();
        var csv = new System.Text.StringBuilder("firstName,lastName,email\n");
        for (var i = 0; i < 6000; i++)
        {
            // Names that sound different: six thousand alike would make every row a likely-duplicate probe of the rest,
            // and the batch in flight when the test cancels would hold the worker long after the test (the next test's job waits).
            var last = string.Concat(i.ToString(CultureInfo.InvariantCulture).Select(digit => "bdfgklmnrs"[digit - '0'])) + "a";
            csv.Append(CultureInfo.InvariantCulture, $"Row,{last},{NewEmail($"row{i}")}\n");
        }
        var id = (await client.UploadCsvAsync(csv.ToString())).Body.Id();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostJsonAsync($"/api/v1/imports/{id}/run", new { })).Status);

        var midway = (await Eventually.ReturnsAsync(() => client.GetJsonAsync($"/api/v1/imports/{id}"),
            job => job.Body.Str("status") != "queued" && job.Body.Total("processed") > 0, "the run has committed a batch")).Body;
        Assert.Equal("running", midway.Str("status"));
        Assert.Equal(6000, midway.Total("rows"));
        Assert.InRange(midway.GetProperty("percent").GetDouble(), 1, 99);
        Assert.True(midway.GetProperty("rowsPerSecond").GetDouble() > 0);
        Assert.True(midway.GetProperty("etaSeconds").GetDouble() > 0);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostJsonAsync($"/api/v1/imports/{id}/cancel", new { })).Status);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var cancelled = (await client.GetJsonAsync($"/api/v1/imports/{id}")).Body;
        Assert.Equal("cancelled", cancelled.Str("status"));
        Assert.InRange(cancelled.Total("processed"), 1, 5999);
        Assert.Equal(cancelled.Total("processed"), cancelled.Total("created"));
        var people = await client.GetJsonAsync("/api/v1/people/export?format=json");
        Assert.Equal(cancelled.Total("created"), people.Body.GetArrayLength());
    }

    [Fact]
    public async Task Xlsx_files_import_like_csv()
    {
        var client = await NewTenantClientAsync();
        var email = NewEmail("sheet");
        using var file = new MemoryStream();
        await file.SaveAsAsync(new[] { new Dictionary<string, object> { ["Email"] = email, ["First name"] = "Sheet", ["Last name"] = "Row", ["Rating"] = "hot" } });
        var upload = await client.UploadAsync("fileName=people.xlsx", file.ToArray(), "application/octet-stream");
        Assert.True(upload.Status == HttpStatusCode.Created, $"upload answered {upload.Status}: {upload.Body}");
        Assert.Equal("xlsx", upload.Body.Str("format"));
        var job = await client.RunAsync(upload.Body.Id());
        Assert.Equal(1, job.Total("created"));
        Assert.Equal("hot", (await client.PersonByEmailAsync(email))!.Value.Str("rating"));
    }

    [Fact]
    public async Task Bad_uploads_and_mappings_are_problems()
    {
        var client = await NewTenantClientAsync();
        (await client.UploadAsync("fileName=people.pdf", [1, 2, 3], "application/pdf")).AssertProblem(HttpStatusCode.BadRequest);
        (await client.UploadCsvAsync("", "fileName=people.csv")).AssertProblem(HttpStatusCode.BadRequest);
        (await client.UploadCsvAsync("firstName,lastName,email\n", "fileName=p.csv&matchBy=external-id")).AssertProblem(HttpStatusCode.BadRequest);
        (await client.UploadCsvAsync("firstName,lastName,email\n", "fileName=p.csv&mode=sometimes")).AssertProblem(HttpStatusCode.BadRequest);
        var id = (await client.UploadCsvAsync("a,b,c\nA,B,c@example.com\n", "fileName=p.csv")).Body.Id();
        (await client.PostJsonAsync($"/api/v1/imports/{id}/run", new { })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await client.PutJsonAsync($"/api/v1/imports/{id}/mapping", new { mapping = new { a = "firstName", b = "shoeSize", c = "email" } }, null))
            .AssertProblem(HttpStatusCode.BadRequest);
        var mapped = await client.PutJsonAsync($"/api/v1/imports/{id}/mapping", new { mapping = new { a = "firstName", b = "lastName", c = "email" } }, null);
        Assert.Equal(HttpStatusCode.OK, mapped.Status);
        Assert.Equal(1, (await client.RunAsync(id)).Total("created"));
        (await client.GetJsonAsync($"/api/v1/imports/{Guid.NewGuid()}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_tenant_cannot_see_or_touch_an_import()
    {
        var client = await NewTenantClientAsync();
        var other = await NewTenantClientAsync();
        var email = NewEmail("isolated");
        var id = (await client.UploadCsvAsync($"firstName,lastName,email\nIso,Lated,{email}\nBad,,x\n")).Body.Id();
        await client.RunAsync(id);

        (await other.GetJsonAsync($"/api/v1/imports/{id}")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/imports/{id}/rejected")).StatusCode);
        (await other.PostJsonAsync($"/api/v1/imports/{id}/revert", new { })).AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal(0, (await other.GetJsonAsync("/api/v1/imports")).Body.GetProperty("items").GetArrayLength());
        Assert.Null(await other.PersonByEmailAsync(email));

        // The same file in the other tenant creates its own person rather than matching the first tenant's.
        var theirs = (await other.UploadCsvAsync($"firstName,lastName,email\nIso,Lated,{email}\n")).Body.Id();
        Assert.Equal(1, (await other.RunAsync(theirs)).Total("created"));
    }
}
