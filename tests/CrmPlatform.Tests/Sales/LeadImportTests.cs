using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Importing leads from CSV through Sales' API on real PostgreSQL and RabbitMQ: the guessed and the given mapping, a
/// dry run that writes nothing but its report, the rejected rows, a run whose leads and events commit together, and
/// rows imported again found instead of duplicated.
/// </summary>
public sealed class LeadImportTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private PlatformServices Platform => fixture.Platform;

    private static async Task<ApiAnswer> UploadAsync(HttpClient client, string csv, string query = "fileName=leads.csv")
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var response = await client.PostAsync($"/api/v1/lead-imports?{query}", content);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiAnswer(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private static string Csv(string marker) => $"""
        First Name,Last_Name,E-Mail,Company,Country,Products,Notes
        Ada,Lovelace,ada.{marker}@example.com,Analytical Engines,gb,crm-pro;analytics,Met at the fair
        Charles,Babbage,charles.{marker}@example.com,Analytical Engines,GB,,
        Mary,Somerville,not-an-email,Royal Society,GB,,
        Grace,,grace.{marker}@example.com,Navy,US,,
        Hedy,Lamarr,hedy.{marker}@example.com,MGM,Austria,,
        Katherine,Johnson,katherine.{marker}@example.com,NASA,US,crm-pro,
        """;

    private Task<int> LeadCountAsync(string marker) =>
        PlatformServices.QueryAsync(Platform.Sales, db => db.Leads.CountAsync(l => l.Email != null && l.Email.Contains(marker)));

    [Fact]
    public async Task A_file_is_mapped_dry_run_then_run_once_its_rejected_rows_reported_and_its_leads_announced()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var upload = await UploadAsync(_sales, Csv(marker));
        Assert.Equal(HttpStatusCode.Created, upload.Status);
        var job = upload.Body;
        Assert.Equal(("uploaded", "csv"), (job.Str("status"), job.Str("format")));
        var guessed = job.GetProperty("mapping");
        Assert.Equal(("firstName", "lastName", "email", "company", "country"),
            (guessed.Str("First Name"), guessed.Str("Last_Name"), guessed.Str("E-Mail"), guessed.Str("Company"), guessed.Str("Country")));
        Assert.False(guessed.TryGetProperty("Products", out _));

        // The columns the header did not name are mapped by hand, with the campaign of the whole file.
        var campaign = Guid.NewGuid();
        var mapping = new Dictionary<string, string>
        {
            ["First Name"] = "firstName", ["Last_Name"] = "lastName", ["E-Mail"] = "email", ["Company"] = "company", ["Country"] = "country",
            ["Products"] = "productInterests", ["Notes"] = "description",
        };
        (await _sales.PutJsonAsync($"/api/v1/lead-imports/{job.Id()}/mapping", new { mapping = new { Nope = "email" } }, job.ETag()))
            .AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.PutJsonAsync($"/api/v1/lead-imports/{job.Id()}/mapping", new { mapping = new { Notes = "shoeSize" } }, job.ETag()))
            .AssertProblem(HttpStatusCode.BadRequest);
        var mapped = await _sales.PutJsonAsync($"/api/v1/lead-imports/{job.Id()}/mapping", new { mapping, campaignId = campaign }, job.ETag());
        Assert.Equal(HttpStatusCode.OK, mapped.Status);

        var dryRun = await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/lead-imports/{job.Id()}/dry-run");
        Assert.Equal(HttpStatusCode.OK, dryRun.Status);
        Assert.Equal((true, 6, 3, 0, 3), (dryRun.Body.GetProperty("dryRun").GetBoolean(), dryRun.Body.GetProperty("totalRows").GetInt32(),
            dryRun.Body.GetProperty("created").GetInt32(), dryRun.Body.GetProperty("existing").GetInt32(), dryRun.Body.GetProperty("rejected").GetInt32()));
        Assert.Equal(0, await LeadCountAsync(marker));

        var report = await _sales.GetAsync($"/api/v1/lead-imports/{job.Id()}/rejected");
        Assert.Equal("text/csv", report.Content.Headers.ContentType?.MediaType);
        var lines = (await report.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("row,reason,First Name,Last_Name,E-Mail,Company,Country,Products,Notes", lines[0]);
        Assert.Equal(["3", "4", "5"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Contains("email", lines[1]);
        Assert.Contains("lastName", lines[2]);
        Assert.Contains("country", lines[3]);

        var run = await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/lead-imports/{job.Id()}/run");
        Assert.Equal(HttpStatusCode.OK, run.Status);
        Assert.Equal(("completed", false, 3, 3), (run.Body.Str("status"), run.Body.GetProperty("dryRun").GetBoolean(),
            run.Body.GetProperty("created").GetInt32(), run.Body.GetProperty("rejected").GetInt32()));
        (await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/lead-imports/{job.Id()}/run")).AssertProblem(HttpStatusCode.Conflict);

        var leads = (await _sales.GetJsonAsync($"/api/v1/leads?filter[campaignId]={campaign}")).Items();
        Assert.Equal(3, leads.Count);
        Assert.All(leads, l => Assert.Equal(("import", "new"), (l.Str("source"), l.Str("status"))));
        var ada = leads.Single(l => l.Str("lastName") == "Lovelace");
        Assert.Equal(("GB", "Met at the fair"), (ada.Str("country"), ada.Str("description")));
        Assert.Equal(["crm-pro", "analytics"], ada.GetProperty("productInterests").EnumerateArray().Select(p => p.GetString()));
        Assert.EndsWith(":1", ada.Str("sourceReference"));

        var created = await Eventually.ReturnsAsync(() => PlatformServices.QueryAsync(Platform.Sales, async db =>
                (await db.OutboxMessages.AsNoTracking().Where(m => m.EventType == typeof(LeadCreated).FullName).ToListAsync())
                .Select(m => (Event: (LeadCreated)m.ToEvent(), Published: m.PublishedAt is not null))
                .Where(e => e.Event.Lead.CampaignId == campaign).ToList()),
            rows => rows.Count == 3 && rows.All(r => r.Published), "three LeadCreated are published");
        Assert.All(created, e => Assert.Equal((TenantContext.DefaultTenantId, "import"), (e.Event.TenantId, e.Event.Lead.Source)));
    }

    [Fact]
    public async Task The_same_rows_imported_again_find_their_leads_instead_of_making_new_ones()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var csv = $"""
            lastName,email,sourceReference
            Hopper,grace.{marker}@example.com,crm-old-1
            Hamilton,margaret.{marker}@example.com,crm-old-2
            Hamilton,margaret2.{marker}@example.com,crm-old-2
            """;
        var first = (await UploadAsync(_sales, csv)).Body;
        var firstRun = (await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/lead-imports/{first.Id()}/run")).Body;
        Assert.Equal((2, 0, 1), (firstRun.GetProperty("created").GetInt32(), firstRun.GetProperty("existing").GetInt32(), firstRun.GetProperty("rejected").GetInt32()));

        var second = (await UploadAsync(_sales, csv)).Body;
        var secondRun = (await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/lead-imports/{second.Id()}/run")).Body;
        Assert.Equal((0, 2, 1), (secondRun.GetProperty("created").GetInt32(), secondRun.GetProperty("existing").GetInt32(), secondRun.GetProperty("rejected").GetInt32()));
        Assert.Equal(2, await LeadCountAsync(marker));

        // Without a reference column, the same file (same content) is the same rows.
        var plain = $"lastName,email\nLamarr,hedy.{marker}@example.com\n";
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var job = (await UploadAsync(_sales, plain)).Body;
            Assert.Equal(HttpStatusCode.OK, (await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/lead-imports/{job.Id()}/run")).Status);
        }
        Assert.Equal(3, await LeadCountAsync(marker));
    }

    [Fact]
    public async Task Bad_uploads_and_incomplete_mappings_are_problems_and_jobs_are_their_tenants_and_uploaders()
    {
        (await UploadAsync(_sales, "a,b\n1,2\n", "fileName=leads.pdf&format=pdf")).AssertProblem(HttpStatusCode.BadRequest);
        (await UploadAsync(_sales, "", "fileName=leads.csv")).AssertProblem(HttpStatusCode.BadRequest);
        var unmapped = (await UploadAsync(_sales, "Who,Where\nAda,London\n")).Body;
        var refused = await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/lead-imports/{unmapped.Id()}/run");
        refused.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(refused.Body.GetProperty("errors").TryGetProperty("mapping", out _));

        var rep = Guid.NewGuid().ToString();
        var repSales = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(rep, TenantContext.DefaultTenantId, Roles.SalesRep));
        var repJob = (await UploadAsync(repSales, $"lastName,email\nRep,rep.{Guid.NewGuid():N}@example.com\n")).Body;
        var repRun = (await repSales.SendJsonAsync(HttpMethod.Post, $"/api/v1/lead-imports/{repJob.Id()}/run")).Body;
        // The rep sees their own leads only, so the one imported lead they see is the one of their file.
        var lead = Assert.Single((await repSales.GetJsonAsync("/api/v1/leads?filter[source]=import&limit=200")).Items());
        Assert.Equal((1, rep), (repRun.GetProperty("created").GetInt32(), lead.Str("ownerId")));

        // Another rep does not see the rep's job; another tenant sees nothing; readers cannot import.
        var otherRep = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), TenantContext.DefaultTenantId, Roles.SalesRep));
        (await otherRep.GetJsonAsync($"/api/v1/lead-imports/{repJob.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await _sales.GetJsonAsync($"/api/v1/lead-imports/{repJob.Id()}")).Status);
        var otherTenant = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), Guid.NewGuid(), Roles.Admin));
        (await otherTenant.GetJsonAsync($"/api/v1/lead-imports/{repJob.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await otherTenant.SendJsonAsync(HttpMethod.Post, $"/api/v1/lead-imports/{unmapped.Id()}/run")).AssertProblem(HttpStatusCode.NotFound);
        var reader = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), TenantContext.DefaultTenantId, Roles.ReadOnly));
        (await UploadAsync(reader, "lastName,email\nX,x@example.com\n")).AssertProblem(HttpStatusCode.Forbidden);
    }
}
