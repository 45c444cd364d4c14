using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CrmPlatform.Tests.Sales.PipelineTestData;

namespace CrmPlatform.Tests.Sales;

/// <summary>Opportunities moving through a pipeline's stages: the stages' rules, closing, and the history.</summary>
[Collection(PipelinesCollection.Name)]
public sealed class OpportunityStageTests(PlatformFixture fixture)
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    [Fact]
    public async Task Entering_a_stage_without_its_required_fields_answers_422_naming_each_missing_field()
    {
        var pipeline = await CreatePipelineAsync(_sales);
        var customer = await CustomerAsync(Platform, _contacts);

        var createdInProposal = await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "proposal", amount: 0, expectedCloseDate: null));
        createdInProposal.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["amount", "expectedCloseDate"], createdInProposal.ErrorFields());

        var opportunity = await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead", amount: 0, expectedCloseDate: null)).CreatedAsync();
        var moved = await _sales.MoveAsync(opportunity, "proposal");
        moved.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["amount", "expectedCloseDate"], moved.ErrorFields());
        Assert.Contains("amount", moved.Body.Str("detail"));

        var withAmountOnly = await _sales.PutJsonAsync($"/api/v1/opportunities/{opportunity.Id()}",
            Opportunity(customer, stage: "proposal", amount: 500, expectedCloseDate: null), opportunity.ETag());
        withAmountOnly.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["expectedCloseDate"], withAmountOnly.ErrorFields());
        var unchanged = await _sales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}").OkAsync();
        Assert.Equal(("lead", 0m, 1), (unchanged.Str("stage"), unchanged.GetProperty("amount").GetDecimal(), unchanged.GetProperty("version").GetInt32()));

        // One update may give the fields and enter the stage.
        var complete = await _sales.PutJsonAsync($"/api/v1/opportunities/{opportunity.Id()}",
            Opportunity(customer, stage: "proposal", amount: 500), opportunity.ETag()).OkAsync();
        Assert.Equal(("proposal", pipeline.Id()), (complete.Str("stage"), complete.GetProperty("pipelineId").GetGuid()));

        var unknownStage = await _sales.MoveAsync(complete, "closed-won");
        unknownStage.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["stage"], unknownStage.ErrorFields());
    }

    [Fact]
    public async Task A_lost_stage_requires_a_reason_and_won_or_lost_close_the_opportunity_until_it_reopens()
    {
        var pipeline = await CreatePipelineAsync(_sales);
        var customer = await CustomerAsync(Platform, _contacts);
        var opportunity = await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead")).CreatedAsync();

        var noReason = await _sales.MoveAsync(opportunity, "lost", competitor: "Initech");
        noReason.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["lostReason"], noReason.ErrorFields());
        var reasonForAnOpenStage = await _sales.MoveAsync(opportunity, "proposal", lostReason: "Too dear");
        reasonForAnOpenStage.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["lostReason"], reasonForAnOpenStage.ErrorFields());

        var lost = await _sales.MoveAsync(opportunity, "lost", lostReason: "  Price too high ", competitor: "Initech").OkAsync();
        Assert.Equal(("lost", "Price too high", "Initech"), (lost.Str("stage"), lost.Str("lostReason"), lost.Str("competitor")));
        var closedAt = lost.GetProperty("closedAt").GetDateTime();
        Assert.Equal(lost.GetProperty("stageEnteredAt").GetDateTime(), closedAt);
        Assert.Contains((await _sales.GetJsonAsync($"/api/v1/opportunities?filter[closed]=true&filter[pipelineId]={pipeline.Id()}")).Items(),
            o => o.Id() == opportunity.Id());

        // Stating the loss again in the same stage rewords it; the opportunity stays closed since it was lost.
        var reworded = await _sales.MoveAsync(lost, "lost", lostReason: "Budget frozen").OkAsync();
        Assert.Equal(("Budget frozen", JsonValueKind.Null, closedAt),
            (reworded.Str("lostReason"), reworded.GetProperty("competitor").ValueKind, reworded.GetProperty("closedAt").GetDateTime()));
        Assert.Equal(2, (await _sales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}/stage-history")).Items().Count);

        var reopened = await _sales.MoveAsync(reworded, "lead").OkAsync();
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("closedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("lostReason").ValueKind);
        Assert.Equal(JsonValueKind.Null, reopened.GetProperty("competitor").ValueKind);

        var won = await _sales.MoveAsync(reopened, "won").OkAsync();
        Assert.NotEqual(JsonValueKind.Null, won.GetProperty("closedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, won.GetProperty("lostReason").ValueKind);
        Assert.Empty((await _sales.GetJsonAsync($"/api/v1/opportunities?filter[closed]=false&filter[pipelineId]={pipeline.Id()}")).Items());
    }

    [Fact]
    public async Task The_stage_history_says_who_moved_it_when_from_where_and_how_long_it_stayed()
    {
        var pipeline = await CreatePipelineAsync(_sales);
        var customer = await CustomerAsync(Platform, _contacts);
        var rep = Guid.NewGuid().ToString();
        var repSales = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(rep, TenantContext.DefaultTenantId, Roles.SalesRep));
        var opportunity = await repSales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead")).CreatedAsync();

        // Three days in the first stage, as if it had been created then.
        var threeDaysAgo = DateTime.UtcNow.AddDays(-3);
        await PlatformServices.QueryAsync(Platform.Sales, db => db.Opportunities.Where(o => o.Id == opportunity.Id())
            .ExecuteUpdateAsync(set => set.SetProperty(o => o.StageEnteredAt, threeDaysAgo)));
        var proposal = await repSales.MoveAsync(opportunity, "proposal").OkAsync();
        var won = await _sales.MoveAsync(proposal, "won").OkAsync();

        var history = (await repSales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}/stage-history")).Items();
        Assert.Equal([(null, "lead"), ("lead", "proposal"), ("proposal", "won")], history.Select(h => (h.GetProperty("fromStage").GetString(), h.Str("stage"))));
        Assert.Equal([rep, rep], history.Take(2).Select(h => h.Str("changedBy")));
        Assert.NotEqual(rep, history[2].Str("changedBy"));
        Assert.Equal(JsonValueKind.Null, history[0].GetProperty("secondsInPreviousStage").ValueKind);
        Assert.InRange(history[1].GetProperty("secondsInPreviousStage").GetInt64(), 3 * 86400 - 5, 3 * 86400 + 60);
        Assert.InRange(history[2].GetProperty("secondsInPreviousStage").GetInt64(), 0, 60);
        var closed = await _sales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}").OkAsync();
        Assert.Equal(closed.GetProperty("closedAt").GetDateTime(), history[2].GetProperty("changedAt").GetDateTime());
        Assert.All(history, h => Assert.Equal(pipeline.Id(), h.GetProperty("pipelineId").GetGuid()));

        var paged = await repSales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}/stage-history?limit=2");
        Assert.Equal(2, paged.Items().Count);
        var rest = (await repSales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}/stage-history?limit=2&cursor={paged.Body.Str("nextCursor")}")).Items();
        Assert.Equal(["won"], rest.Select(h => h.Str("stage")));

        // Someone outside the rep's record scope sees neither the opportunity nor its history.
        var otherRep = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), TenantContext.DefaultTenantId, Roles.SalesRep));
        (await otherRep.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}/stage-history")).AssertProblem(HttpStatusCode.NotFound);
        (await otherRep.MoveAsync(won, "lead")).AssertProblem(HttpStatusCode.NotFound);

        // Deleting the opportunity deletes its history with it.
        Assert.Equal(HttpStatusCode.NoContent, (await _sales.DeleteJsonAsync($"/api/v1/opportunities/{opportunity.Id()}", Api.AnyVersion)).Status);
        Assert.False(await PlatformServices.QueryAsync(Platform.Sales, db => db.OpportunityStageChanges.AnyAsync(c => c.OpportunityId == opportunity.Id())));
    }

    [Fact]
    public async Task A_move_into_a_stage_that_a_concurrent_pipeline_change_removes_answers_409()
    {
        var pipeline = await CreatePipelineAsync(_sales);
        var customer = await CustomerAsync(Platform, _contacts);
        var opportunity = await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead")).CreatedAsync();

        // A change of the pipeline in progress, as PUT /pipelines/{id} makes it: the row locked, then the stage removed.
        await using var scope = Platform.Sales.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = TenantContext.DefaultTenantId;
        var db = scope.ServiceProvider.GetRequiredService<CrmPlatform.Sales.Data.SalesDbContext>();
        await using (var change = await db.Database.BeginTransactionAsync())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM pipelines WHERE id = {pipeline.Id()} FOR UPDATE");
            var move = _sales.MoveAsync(opportunity, "proposal");
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(move.IsCompleted, "the move waits for the pipeline change");
            await db.Database.ExecuteSqlAsync($"""
                UPDATE pipelines SET stages = jsonb_path_query_array(stages, '$[*] ? (@.key != "proposal")') WHERE id = {pipeline.Id()}
                """);
            await change.CommitAsync();
            (await move).AssertProblem(HttpStatusCode.Conflict);
        }
        var unchanged = await _sales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}").OkAsync();
        Assert.Equal(("lead", 1), (unchanged.Str("stage"), unchanged.GetProperty("version").GetInt32()));
    }

    [Fact]
    public async Task Moves_need_if_match_and_a_move_to_where_it_is_changes_nothing()
    {
        var pipeline = await CreatePipelineAsync(_sales);
        var customer = await CustomerAsync(Platform, _contacts);
        var opportunity = await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead")).CreatedAsync();
        var url = $"/api/v1/opportunities/{opportunity.Id()}/stage";

        (await _sales.PutJsonAsync(url, new { stage = "proposal" }, ifMatch: null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await _sales.PutJsonAsync(url, new { stage = "proposal" }, "\"9\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        (await _sales.PutJsonAsync(url, new { }, Api.AnyVersion)).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.PutJsonAsync($"/api/v1/opportunities/{Guid.CreateVersion7()}/stage", new { stage = "lead" }, Api.AnyVersion))
            .AssertProblem(HttpStatusCode.NotFound);

        var same = await _sales.MoveAsync(opportunity, "lead").OkAsync();
        Assert.Equal(1, same.GetProperty("version").GetInt32());
        Assert.Single((await _sales.GetJsonAsync($"/api/v1/opportunities/{opportunity.Id()}/stage-history")).Items());
    }
}
