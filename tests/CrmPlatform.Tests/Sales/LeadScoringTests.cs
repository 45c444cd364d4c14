using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Leads;
using CrmPlatform.Sales.Scoring;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Lead scoring through Sales' API on real PostgreSQL and RabbitMQ: the fit score from the default weights, engagement
/// from Marketing's campaign events (once per event, decaying), rules until a tenant has enough outcomes, then its own
/// ML.NET model, whose explanation adds up to the score and agrees with ML.NET's prediction from the stored bytes;
/// permissions, tenant isolation, and the scheduled run.
/// </summary>
public sealed class LeadScoringTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private PlatformServices Platform => fixture.Platform;

    private Task<string> TokenAsync(string subject, string role, Guid? tenant = null) =>
        Platform.Identity.SignedTokenAsync(subject, tenant ?? TenantContext.DefaultTenantId, role);

    private async Task<HttpClient> TenantAdminAsync(Guid tenant) =>
        Platform.ClientFor(Platform.Sales, await TokenAsync($"admin-{Guid.NewGuid():N}", Roles.Admin, tenant));

    private static object Lead(string? email = null, string industry = "Software", string country = "DE", int employees = 250,
        string jobTitle = "VP Sales", string[]? productInterests = null) =>
        new { lastName = "Lead", email = email ?? $"{Guid.NewGuid():N}@leads.test", industry, country, employeeCount = employees, jobTitle,
            productInterests = productInterests ?? ["crm", "analytics"], company = "ACME" };

    private async Task<JsonElement> ScoreAsync(Guid lead, HttpClient? client = null)
    {
        var answer = await (client ?? _sales).GetJsonAsync($"/api/v1/leads/{lead}/score");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Body;
    }

    private static List<(string Feature, double Points)> Contributions(JsonElement score) =>
        [.. score.GetProperty("contributions").EnumerateArray().Select(c => (c.Str("feature"), c.GetProperty("points").GetDouble()))];

    private static void AssertSumsToScore(JsonElement score) =>
        Assert.Equal(score.GetProperty("score").GetDouble(), Contributions(score).Sum(c => c.Points), 9);

    [Fact]
    public async Task The_fit_score_adds_the_default_weights_of_the_leads_attributes()
    {
        var lead = await _sales.PostJsonAsync("/api/v1/leads", Lead()).CreatedAsync();
        var score = await ScoreAsync(lead.Id());
        Assert.Equal("rules", score.Str("method"));
        // software 15, 250 employees (200+) 10, DE 10, VP → vice-president 15, two products × 4.
        Assert.Equal(
            [("company size", 10.0), ("country", 10.0), ("industry", 15.0), ("product interests", 8.0), ("seniority", 15.0)],
            Contributions(score).OrderBy(c => c.Feature, StringComparer.Ordinal));
        Assert.Equal(58, score.GetProperty("fit").GetDouble());
        Assert.Equal(0, score.GetProperty("engagement").GetDouble());
        Assert.Equal(58, score.GetProperty("score").GetDouble());
        AssertSumsToScore(score);

        // A change of the lead rescores it with that change.
        var changed = await _sales.PutJsonAsync($"/api/v1/leads/{lead.Id()}",
            Lead(lead.Str("email"), industry: "Education", jobTitle: "Chief Executive Officer"), lead.ETag());
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        var rescored = await ScoreAsync(lead.Id());
        Assert.Equal(58 - 15 + 2 - 15 + 20, rescored.GetProperty("score").GetDouble());
        AssertSumsToScore(rescored);
    }

    [Fact]
    public async Task Campaign_events_add_engagement_once_each_and_decay_with_age()
    {
        var email = $"{Guid.NewGuid():N}@leads.test";
        var lead = await _sales.PostJsonAsync("/api/v1/leads", Lead(email.ToUpperInvariant())).CreatedAsync();
        var bus = Platform.Marketing.Services.GetRequiredService<IBus>();
        var now = DateTime.UtcNow;
        var opened = new CampaignEmailOpened(Guid.NewGuid(), now, TenantContext.DefaultTenantId, Guid.NewGuid(), 1, Guid.NewGuid(), email, null, now);
        var clicked = new CampaignLinkClicked(Guid.NewGuid(), now, TenantContext.DefaultTenantId, Guid.NewGuid(), 1, Guid.NewGuid(), email, null,
            "https://example.com/pricing", now.AddDays(-30));
        // The same open delivered twice, and an event of another tenant with the same address.
        await bus.Publish(opened, context => context.MessageId = opened.EventId);
        await bus.Publish(opened, context => context.MessageId = opened.EventId);
        await bus.Publish(clicked, context => context.MessageId = clicked.EventId);
        var foreign = opened with { EventId = Guid.NewGuid(), TenantId = Guid.NewGuid() };
        await bus.Publish(foreign, context => context.MessageId = foreign.EventId);

        var score = await Eventually.ReturnsAsync(() => ScoreAsync(lead.Id()),
            s => Contributions(s).Count(c => c.Feature.StartsWith("engagement", StringComparison.Ordinal)) == 2, "both campaign events count");
        // Opened now: 3 points; clicked 30 days ago (one half-life): 6 × ½.
        Assert.Equal(3, Contributions(score).Single(c => c.Feature == "engagement: email-opened").Points, 2);
        Assert.Equal(3, Contributions(score).Single(c => c.Feature == "engagement: link-clicked").Points, 2);
        Assert.Equal(6, score.GetProperty("engagement").GetDouble(), 2);
        Assert.Equal(58 + score.GetProperty("engagement").GetDouble(), score.GetProperty("score").GetDouble(), 9);
        AssertSumsToScore(score);

        await Task.Delay(TimeSpan.FromSeconds(1));
        var engagements = await PlatformServices.QueryAsync(Platform.Sales, db => db.LeadEngagements.AsNoTracking().Where(e => e.LeadId == lead.Id()).ToListAsync());
        Assert.Equal(2, engagements.Count);
        // Engagement is bookkeeping: the lead's version (its ETag) stays.
        Assert.Equal(lead.GetProperty("version").GetInt32(), (await _sales.GetJsonAsync($"/api/v1/leads/{lead.Id()}")).Body.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task An_activity_logged_on_the_lead_adds_its_kinds_engagement()
    {
        var lead = await _sales.PostJsonAsync("/api/v1/leads", Lead()).CreatedAsync();
        var meeting = await _sales.PostJsonAsync("/api/v1/activities",
            new { kind = "meeting", subject = "Demo", occurredAt = DateTime.UtcNow, durationMinutes = 30, leadId = lead.Id() }).CreatedAsync();
        Assert.Equal(lead.Id(), meeting.GetProperty("leadId").GetGuid());
        var score = await ScoreAsync(lead.Id());
        Assert.Equal(15, Contributions(score).Single(c => c.Feature == "engagement: meeting").Points, 2);
        Assert.Equal(58 + 15, score.GetProperty("score").GetDouble(), 2);
        AssertSumsToScore(score);
    }

    [Fact]
    public async Task Below_the_threshold_training_declines_and_scoring_stays_rule_based()
    {
        var tenant = Guid.NewGuid();
        await SeedOutcomesAsync(tenant, 30);
        var admin = await TenantAdminAsync(tenant);
        var trained = await admin.PostJsonAsync("/api/v1/lead-scoring/model/train", new { });
        Assert.Equal(HttpStatusCode.OK, trained.Status);
        Assert.False(trained.Body.GetProperty("trained").GetBoolean());
        Assert.Equal("rules", trained.Body.Str("method"));
        Assert.Equal(50, trained.Body.GetProperty("minOutcomes").GetInt32());
        Assert.Contains("needs 50", trained.Body.Str("notTrainedBecause"));
        Assert.Equal(30, trained.Body.GetProperty("rescored").GetInt32());
        (await admin.GetJsonAsync("/api/v1/lead-scoring/model")).AssertProblem(HttpStatusCode.NotFound);
        var lead = await admin.PostJsonAsync("/api/v1/leads", Lead()).CreatedAsync();
        Assert.Equal("rules", (await ScoreAsync(lead.Id(), admin)).Str("method"));
    }

    [Fact]
    public async Task Above_the_threshold_the_tenants_model_scores_and_its_explanation_is_the_models_own()
    {
        var tenant = Guid.NewGuid();
        await SeedOutcomesAsync(tenant, 600);
        var admin = await TenantAdminAsync(tenant);
        var trained = await admin.PostJsonAsync("/api/v1/lead-scoring/model/train", new { });
        Assert.Equal(HttpStatusCode.OK, trained.Status);
        Assert.True(trained.Body.GetProperty("trained").GetBoolean());
        var model = trained.Body.GetProperty("model");
        Assert.InRange(model.GetProperty("auc").GetDouble(), 0.7, 1.0);
        Assert.Equal(600, model.GetProperty("trainingLeads").GetInt32() + model.GetProperty("heldOutLeads").GetInt32());
        Assert.InRange(model.GetProperty("heldOutLeads").GetInt32(), 60, 200);
        Assert.Equal(model.Id(), (await admin.GetJsonAsync("/api/v1/lead-scoring/model")).Body.Id());

        var strong = await admin.PostJsonAsync("/api/v1/leads", Lead(industry: "software", jobTitle: "CTO", employees: 2000)).CreatedAsync();
        var weak = await admin.PostJsonAsync("/api/v1/leads", Lead(industry: "education", jobTitle: "Intern", employees: 3, productInterests: [])).CreatedAsync();
        var strongScore = await ScoreAsync(strong.Id(), admin);
        var weakScore = await ScoreAsync(weak.Id(), admin);
        Assert.Equal(("model", model.Id()), (strongScore.Str("method"), strongScore.GetProperty("modelId").GetGuid()));
        AssertSumsToScore(strongScore);
        AssertSumsToScore(weakScore);
        Assert.Contains(Contributions(strongScore), c => c.Feature == "baseline");
        Assert.True(strongScore.GetProperty("score").GetDouble() > weakScore.GetProperty("score").GetDouble());

        // ML.NET, loading the bytes stored in the database, predicts the same logit and probability the explanation adds up to.
        foreach (var (leadId, score) in new[] { (strong.Id(), strongScore), (weak.Id(), weakScore) })
        {
            var (stored, features) = await InTenantAsync(tenant, async db =>
            {
                var m = await db.LeadScoringModels.AsNoTracking().SingleAsync(x => x.Id == model.Id());
                var lead = await db.Leads.AsNoTracking().SingleAsync(l => l.Id == leadId);
                return (m, m.Features.Featurize(LeadFacts.From(lead), lead.EngagementScore ?? 0));
            });
            var prediction = ModelTrainer.Predict(stored, features);
            Assert.Equal(prediction.Score, score.GetProperty("score").GetDouble() / LeadScorer.PointsPerLogit, 3);
            Assert.Equal(prediction.Probability, score.GetProperty("conversionProbability").GetDouble(), 3);
        }

        // Another tenant neither sees these leads' scores nor is scored by this model.
        var other = await TenantAdminAsync(Guid.NewGuid());
        (await other.GetJsonAsync($"/api/v1/leads/{strong.Id()}/score")).AssertProblem(HttpStatusCode.NotFound);
        (await other.GetJsonAsync("/api/v1/lead-scoring/model")).AssertProblem(HttpStatusCode.NotFound);
        var theirs = await other.PostJsonAsync("/api/v1/leads", Lead()).CreatedAsync();
        Assert.Equal("rules", (await ScoreAsync(theirs.Id(), other)).Str("method"));
    }

    [Fact]
    public async Task Reps_read_scores_but_only_managers_train_and_set_weights_which_are_validated()
    {
        var rep = Platform.ClientFor(Platform.Sales, await TokenAsync($"rep-{Guid.NewGuid():N}", Roles.SalesRep));
        (await rep.PostJsonAsync("/api/v1/lead-scoring/model/train", new { })).AssertProblem(HttpStatusCode.Forbidden);
        (await rep.PutJsonAsync("/api/v1/lead-scoring/settings", new { weights = ScoringWeights.Defaults }, null)).AssertProblem(HttpStatusCode.Forbidden);
        var own = await rep.PostJsonAsync("/api/v1/leads", Lead()).CreatedAsync();
        Assert.Equal(58, (await ScoreAsync(own.Id(), rep)).GetProperty("score").GetDouble());
        var others = await _sales.PostJsonAsync("/api/v1/leads", Lead()).CreatedAsync();
        (await rep.GetJsonAsync($"/api/v1/leads/{others.Id()}/score")).AssertProblem(HttpStatusCode.NotFound);

        var tenant = Guid.NewGuid();
        var manager = Platform.ClientFor(Platform.Sales, await TokenAsync($"manager-{Guid.NewGuid():N}", Roles.SalesManager, tenant));
        (await manager.PutJsonAsync("/api/v1/lead-scoring/settings", new { weights = (object?)null }, null)).AssertProblem(HttpStatusCode.BadRequest);
        (await manager.PutJsonAsync("/api/v1/lead-scoring/settings", new { weights = ScoringWeights.Defaults with { EngagementHalfLifeDays = 0 } }, null))
            .AssertProblem(HttpStatusCode.BadRequest);
        (await manager.PutJsonAsync("/api/v1/lead-scoring/settings", new { weights = ScoringWeights.Defaults, minOutcomes = 3 }, null))
            .AssertProblem(HttpStatusCode.BadRequest);
        var weights = ScoringWeights.Defaults with { Industries = new() { ["software"] = 40 } };
        var set = await manager.PutJsonAsync("/api/v1/lead-scoring/settings", new { weights, minOutcomes = 100 }, "\"0\"");
        Assert.Equal(HttpStatusCode.OK, set.Status);
        (await manager.PutJsonAsync("/api/v1/lead-scoring/settings", new { weights }, "\"0\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        var lead = await manager.PostJsonAsync("/api/v1/leads", Lead()).CreatedAsync();
        Assert.Equal(58 - 15 + 40, (await ScoreAsync(lead.Id(), manager)).GetProperty("score").GetDouble());
        // The default tenant still scores with the defaults.
        Assert.Equal(58, (await ScoreAsync((await _sales.PostJsonAsync("/api/v1/leads", Lead()).CreatedAsync()).Id())).GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task The_scheduled_run_trains_and_rescores_each_tenant_once_per_turn()
    {
        var tenant = Guid.NewGuid();
        await SeedOutcomesAsync(tenant, 200);
        var worker = ActivatorUtilities.CreateInstance<ScoringWorker>(Platform.Sales.Services);
        await worker.RunDueAsync(CancellationToken.None);
        var (models, unscored, nextRun) = await InTenantAsync(tenant, async db => (
            await db.LeadScoringModels.CountAsync(),
            await db.Leads.CountAsync(l => l.ScoredAt == null),
            await db.ScoringSchedules.Select(s => s.NextRunAt).SingleAsync()));
        Assert.Equal(1, models);
        Assert.Equal(0, unscored);
        Assert.True(nextRun > DateTime.UtcNow.AddHours(23));
        await worker.RunDueAsync(CancellationToken.None);
        Assert.Equal(1, await InTenantAsync(tenant, db => db.LeadScoringModels.CountAsync()));
    }

    private async Task<T> InTenantAsync<T>(Guid tenant, Func<SalesDbContext, Task<T>> query)
    {
        await using var scope = Platform.Sales.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenant;
        return await query(scope.ServiceProvider.GetRequiredService<SalesDbContext>());
    }

    /// <summary>
    /// A tenant's past: leads converted or disqualified, whose chance of converting rises with a software or
    /// manufacturing industry, seniority and company size, and falls for education, with noise.
    /// </summary>
    private Task SeedOutcomesAsync(Guid tenant, int count) => InTenantAsync(tenant, async db =>
    {
        var random = new Random(count);
        string[] industries = ["software", "manufacturing", "retail", "education"];
        string[] titles = ["CEO", "VP Engineering", "Head of IT", "IT Manager", "Developer", "Intern"];
        for (var i = 0; i < count; i++)
        {
            var industry = industries[random.Next(industries.Length)];
            var title = titles[random.Next(titles.Length)];
            var employees = (int)Math.Pow(10, 0.5 + random.NextDouble() * 3.5);
            var logit = 1.5 * (-1.0 + (industry == "software" ? 1.6 : industry == "manufacturing" ? 0.8 : industry == "education" ? -1.2 : 0)
                + (Array.IndexOf(titles, title) < 3 ? 1.0 : 0) + 0.4 * Math.Log10(employees));
            var converted = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            db.Leads.Add(new Lead
            {
                LastName = $"Seed {i}", Email = $"seed{i}@{tenant:N}.test", Industry = industry, JobTitle = title, EmployeeCount = employees,
                Country = i % 3 == 0 ? "DE" : "FR", ProductInterests = i % 2 == 0 ? ["crm"] : [],
                Status = converted ? LeadStatuses.Converted : LeadStatuses.Disqualified,
                DisqualificationReason = converted ? null : "No fit",
            });
        }
        return await db.SaveChangesAsync();
    });
}
