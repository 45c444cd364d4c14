using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using static CrmPlatform.Tests.Sales.PipelineTestData;

namespace CrmPlatform.Tests.Sales;

/// <summary>Pipelines through Sales' API: definitions and their rules, the one default per tenant, tenant isolation.</summary>
[Collection(PipelinesCollection.Name)]
public sealed class PipelinesApiTests(PlatformFixture fixture)
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);

    /// <summary>A tenant of the test's own: what it sees of pipelines depends on no other test.</summary>
    private async Task<(HttpClient Sales, HttpClient Contacts)> NewTenantAsync()
    {
        var (_, token) = await Platform.Identity.NewTenantAsync();
        return (Platform.ClientFor(Platform.Sales, token), Platform.ClientFor(Platform.Contacts, token));
    }

    [Fact]
    public async Task A_tenant_without_pipelines_gets_the_default_one_on_first_use_and_opportunities_go_into_it()
    {
        var (sales, contacts) = await NewTenantAsync();

        var pipeline = Assert.Single((await sales.GetJsonAsync("/api/v1/pipelines")).Items());
        Assert.True(pipeline.GetProperty("isDefault").GetBoolean());
        var stages = pipeline.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(["prospecting", "qualification", "proposal", "negotiation", "closed-won", "closed-lost"], stages.Select(s => s.Str("key")));
        Assert.Equal([10, 20, 50, 75, 100, 0], stages.Select(s => s.GetProperty("probability").GetInt32()));
        Assert.Equal(["open", "open", "open", "open", "won", "lost"], stages.Select(s => s.Str("kind")));
        Assert.Single((await sales.GetJsonAsync("/api/v1/pipelines")).Items());

        var customer = await CustomerAsync(Platform, contacts);
        var opportunity = await sales.PostJsonAsync("/api/v1/opportunities", new { name = "Old client", amount = 5, currency = "EUR", customerId = customer }).CreatedAsync();
        Assert.Equal(pipeline.Id(), opportunity.GetProperty("pipelineId").GetGuid());
        Assert.Equal("prospecting", opportunity.Str("stage"));
        Assert.Equal(JsonValueKind.Null, opportunity.GetProperty("closedAt").ValueKind);
    }

    [Fact]
    public async Task Pipelines_are_created_read_listed_updated_and_deleted_with_etags()
    {
        var name = $"Renewal {Guid.NewGuid():N}";
        var created = await _sales.PostJsonAsync("/api/v1/pipelines", Pipeline(name));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.Id();
        Assert.Equal($"/api/v1/pipelines/{id}", created.Response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", created.Response.Headers.ETag?.Tag);
        var proposal = created.Body.GetProperty("stages")[1];
        Assert.Equal(["amount", "expectedCloseDate"], proposal.GetProperty("requiredFields").EnumerateArray().Select(f => f.GetString()));

        var read = await _sales.GetJsonAsync($"/api/v1/pipelines/{id}");
        Assert.Equal(name, read.Body.Str("name"));
        Assert.Contains((await _sales.GetJsonAsync($"/api/v1/pipelines?filter[name]={Uri.EscapeDataString(name)}")).Items(), p => p.Id() == id);

        var renamed = Pipeline(name + " (EMEA)", false, Stage("lead", 10), Stage("demo", 30), Stage("proposal", 60, "open", "amount"), Stage("won", 100, "won"), Stage("lost", 0, "lost"));
        (await _sales.PutJsonAsync($"/api/v1/pipelines/{id}", renamed, ifMatch: null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await _sales.PutJsonAsync($"/api/v1/pipelines/{id}", renamed, "\"7\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        var updated = await _sales.PutJsonAsync($"/api/v1/pipelines/{id}", renamed, "\"1\"").OkAsync();
        Assert.Equal(2, updated.GetProperty("version").GetInt32());
        Assert.Equal(["lead", "demo", "proposal", "won", "lost"], updated.GetProperty("stages").EnumerateArray().Select(s => s.Str("key")));

        (await _sales.PostJsonAsync("/api/v1/pipelines", Pipeline(name + " (EMEA)"))).AssertProblem(HttpStatusCode.Conflict);

        (await _sales.DeleteJsonAsync($"/api/v1/pipelines/{id}", "\"1\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        Assert.Equal(HttpStatusCode.NoContent, (await _sales.DeleteJsonAsync($"/api/v1/pipelines/{id}", "\"2\"")).Status);
        (await _sales.GetJsonAsync($"/api/v1/pipelines/{id}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invalid_stages_answer_400_naming_each_problem()
    {
        var answer = await _sales.PostJsonAsync("/api/v1/pipelines", Pipeline("Broken", false,
            new { key = "Lead!", name = "", probability = 120, kind = "maybe", requiredFields = new[] { "amount", "colour" } },
            Stage("demo", 40)));
        answer.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["stages[0].key", "stages[0].name", "stages[0].probability", "stages[0].kind", "stages[0].requiredFields"], answer.ErrorFields());

        var rules = await _sales.PostJsonAsync("/api/v1/pipelines", Pipeline("Out of order", false,
            Stage("demo", 40), Stage("won", 90, "won"), Stage("proposal", 30), Stage("demo", 50), Stage("lost", 5, "lost")));
        rules.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(
            ["stages[1].probability", "stages[2].kind", "stages[2].probability", "stages[3].key", "stages[3].kind", "stages[4].probability"],
            rules.ErrorFields().Order(StringComparer.Ordinal));

        var incomplete = await _sales.PostJsonAsync("/api/v1/pipelines", new { name = "Open only", stages = new[] { Stage("demo", 40) } });
        incomplete.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(2, incomplete.Body.GetProperty("errors").GetProperty("stages").GetArrayLength());

        (await _sales.PostJsonAsync("/api/v1/pipelines", new { name = "No stages" })).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_tenant_has_exactly_one_default_pipeline()
    {
        var (sales, _) = await NewTenantAsync();
        var first = await CreatePipelineAsync(sales, Pipeline("New business", isDefault: false));
        Assert.True(first.GetProperty("isDefault").GetBoolean());

        var second = await CreatePipelineAsync(sales, Pipeline("Renewal", isDefault: true));
        Assert.True(second.GetProperty("isDefault").GetBoolean());
        var defaults = (await sales.GetJsonAsync("/api/v1/pipelines?filter[isDefault]=true")).Items();
        Assert.Equal([second.Id()], defaults.Select(p => p.Id()));
        var firstNow = await sales.GetJsonAsync($"/api/v1/pipelines/{first.Id()}").OkAsync();
        Assert.False(firstNow.GetProperty("isDefault").GetBoolean());

        (await sales.PutJsonAsync($"/api/v1/pipelines/{second.Id()}", Pipeline("Renewal", isDefault: false), second.ETag()))
            .AssertProblem(HttpStatusCode.Conflict);
        (await sales.DeleteJsonAsync($"/api/v1/pipelines/{second.Id()}", second.ETag())).AssertProblem(HttpStatusCode.Conflict);

        await sales.PutJsonAsync($"/api/v1/pipelines/{first.Id()}", Pipeline("New business", isDefault: true), firstNow.ETag()).OkAsync();
        Assert.Equal([first.Id()], (await sales.GetJsonAsync("/api/v1/pipelines?filter[isDefault]=true")).Items().Select(p => p.Id()));
        Assert.Equal(HttpStatusCode.NoContent, (await sales.DeleteJsonAsync($"/api/v1/pipelines/{second.Id()}", Api.AnyVersion)).Status);
    }

    [Fact]
    public async Task Stages_and_pipelines_in_use_cannot_be_removed_until_their_opportunities_move()
    {
        var (sales, contacts) = await NewTenantAsync();
        var spare = await CreatePipelineAsync(sales);
        var pipeline = await CreatePipelineAsync(sales);
        var customer = await CustomerAsync(Platform, contacts);
        var opportunity = await sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "proposal")).CreatedAsync();

        var withoutProposal = Pipeline(pipeline.Str("name"), false, Stage("lead", 10), Stage("won", 100, "won"), Stage("lost", 0, "lost"));
        var refused = await sales.PutJsonAsync($"/api/v1/pipelines/{pipeline.Id()}", withoutProposal, pipeline.ETag());
        refused.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(1, refused.Body.GetProperty("stages").GetProperty("proposal").GetInt32());
        var proposalWon = Pipeline(pipeline.Str("name"), false, Stage("lead", 10), Stage("proposal", 100, "won"), Stage("lost", 0, "lost"));
        (await sales.PutJsonAsync($"/api/v1/pipelines/{pipeline.Id()}", proposalWon, pipeline.ETag())).AssertProblem(HttpStatusCode.Conflict);
        var deleteRefused = await sales.DeleteJsonAsync($"/api/v1/pipelines/{pipeline.Id()}", pipeline.ETag());
        deleteRefused.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(1, deleteRefused.Body.GetProperty("opportunities").GetInt32());

        await sales.MoveAsync(opportunity, "lead", pipelineId: spare.Id()).OkAsync();
        await sales.PutJsonAsync($"/api/v1/pipelines/{pipeline.Id()}", withoutProposal, pipeline.ETag()).OkAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await sales.DeleteJsonAsync($"/api/v1/pipelines/{pipeline.Id()}", Api.AnyVersion)).Status);
    }

    [Fact]
    public async Task The_api_description_has_the_pipeline_and_stage_endpoints()
    {
        using var anonymous = Platform.Sales.CreateClient();
        var paths = (await anonymous.GetJsonAsync("/openapi/v1.json").OkAsync()).GetProperty("paths");
        foreach (var (path, method) in new[]
                 {
                     ("/api/v1/pipelines", "post"), ("/api/v1/pipelines/{id}", "put"), ("/api/v1/pipelines/{id}/board", "get"),
                     ("/api/v1/opportunities/{id}/stage", "put"), ("/api/v1/opportunities/{id}/stage-history", "get"),
                 })
        {
            Assert.True(paths.GetProperty(path).TryGetProperty(method, out _), $"{method} {path}");
        }
        Assert.True(paths.GetProperty("/api/v1/opportunities/{id}/stage").GetProperty("put").GetProperty("responses").TryGetProperty("422", out _));
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_the_pipelines_and_cannot_use_them()
    {
        var pipeline = await CreatePipelineAsync(_sales);
        var customer = await CustomerAsync(Platform, Platform.ClientFor(Platform.Contacts));
        var opportunity = await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead")).CreatedAsync();
        var (theirSales, theirContacts) = await NewTenantAsync();

        (await theirSales.GetJsonAsync($"/api/v1/pipelines/{pipeline.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await theirSales.GetJsonAsync($"/api/v1/pipelines/{pipeline.Id()}/board")).AssertProblem(HttpStatusCode.NotFound);
        (await theirSales.PutJsonAsync($"/api/v1/pipelines/{pipeline.Id()}", Pipeline("Taken"), Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await theirSales.DeleteJsonAsync($"/api/v1/pipelines/{pipeline.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await theirSales.GetJsonAsync("/api/v1/pipelines?limit=200")).Items(), p => p.Id() == pipeline.Id());
        (await theirSales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}/stage-history")).AssertProblem(HttpStatusCode.NotFound);
        (await theirSales.MoveAsync(opportunity, "won")).AssertProblem(HttpStatusCode.NotFound);

        var theirCustomer = await CustomerAsync(Platform, theirContacts);
        var intoMine = await theirSales.PostJsonAsync("/api/v1/opportunities", Opportunity(theirCustomer, pipeline.Id(), "lead"));
        intoMine.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["pipelineId"], intoMine.ErrorFields());
        var theirs = await theirSales.PostJsonAsync("/api/v1/opportunities", Opportunity(theirCustomer)).CreatedAsync();
        (await theirSales.MoveAsync(theirs, "lead", pipelineId: pipeline.Id())).AssertProblem(HttpStatusCode.UnprocessableEntity);

        var board = await _sales.GetJsonAsync($"/api/v1/pipelines/{pipeline.Id()}/board").OkAsync();
        Assert.Equal(1, board.GetProperty("count").GetInt32());
    }
}
