using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// The knowledge base through Service's API on real PostgreSQL: validation, permissions, revisions and the event of a
/// publication, German and English full-text search, suggestions for a ticket's text, and the anonymous help centre
/// (published only, cacheable, one tenant's articles only). Search tests work in a tenant of their own, so what other
/// tests write cannot change their results.
/// </summary>
public sealed class KnowledgeBaseApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _admin = fixture.Platform.ClientFor(fixture.Platform.Service);

    private async Task<HttpClient> AsAsync(string role, Guid? tenant = null, string? subject = null) =>
        Platform.ClientFor(Platform.Service, await Platform.Identity.SignedTokenAsync(subject ?? $"{role}-{Guid.NewGuid():N}", tenant ?? TenantContext.DefaultTenantId, role));

    /// <summary>An agent of a new tenant, and the tenant.</summary>
    private async Task<(Guid Tenant, HttpClient Agent)> NewTenantAgentAsync()
    {
        var tenant = Guid.CreateVersion7();
        return (tenant, await AsAsync(Roles.ServiceAgent, tenant));
    }

    private HttpClient Anonymous() => Platform.Service.CreateClient();

    private static object Article(string title, string body, string language = "en", string status = "published", string? summary = null,
        Guid? categoryId = null, Guid? translationOf = null) =>
        new { title, summary, body, language, status, categoryId, translationOf };

    private static async Task<JsonElement> CreateAsync(HttpClient client, object article) =>
        await client.PostJsonAsync("/api/v1/knowledge/articles", article).CreatedAsync();

    private static async Task<List<string>> SearchTitlesAsync(HttpClient client, string query) =>
        (await client.GetJsonAsync($"/api/v1/knowledge/articles/search?{query}")).Items().Select(hit => hit.Str("title")).ToList();

    [Fact]
    public async Task Markdown_is_stored_and_served_as_sanitized_html()
    {
        var agent = await AsAsync(Roles.ServiceAgent);
        var article = await CreateAsync(agent, Article("Safe page", "# Title\n\n<script>alert(1)</script><img src=x onerror=alert(2)>\n\n[x](javascript:alert(3)) [ok](https://example.com)"));

        var html = article.Str("bodyHtml");
        Assert.Contains("<h1", html);
        Assert.Contains("href=\"https://example.com\"", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("onerror", html);
        Assert.DoesNotContain("javascript:", html);
        Assert.Contains("<script>", article.Str("body"));
    }

    [Fact]
    public async Task Invalid_articles_are_refused_with_problems()
    {
        var agent = await AsAsync(Roles.ServiceAgent);

        var invalid = await agent.PostJsonAsync("/api/v1/knowledge/articles", new { title = "", body = "x", language = "fr", status = "live" });
        invalid.AssertProblem(HttpStatusCode.BadRequest);
        var errors = invalid.Body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("title", out _));
        Assert.True(errors.TryGetProperty("language", out _));
        Assert.True(errors.TryGetProperty("status", out _));

        (await agent.PostJsonAsync("/api/v1/knowledge/articles", Article("x", "y", categoryId: Guid.NewGuid()))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await agent.PostJsonAsync("/api/v1/knowledge/articles", Article("x", "y", translationOf: Guid.NewGuid()))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await agent.GetJsonAsync($"/api/v1/knowledge/articles/{Guid.NewGuid()}")).AssertProblem(HttpStatusCode.NotFound);
        (await agent.GetJsonAsync("/api/v1/knowledge/articles?filter[colour]=red")).AssertProblem(HttpStatusCode.BadRequest);
        (await agent.GetJsonAsync("/api/v1/knowledge/articles/search?q=")).AssertProblem(HttpStatusCode.BadRequest);

        var article = await CreateAsync(agent, Article("Versioned", "v1"));
        (await agent.PutJsonAsync($"/api/v1/knowledge/articles/{article.Id()}", Article("Versioned", "v2"), ifMatch: null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await agent.PutJsonAsync($"/api/v1/knowledge/articles/{article.Id()}", Article("Versioned", "v2"), ifMatch: "\"99\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
    }

    [Fact]
    public async Task Agents_write_admins_delete_sales_reads_and_read_only_cannot_write()
    {
        var agent = await AsAsync(Roles.ServiceAgent);
        var readOnly = await AsAsync(Roles.ReadOnly);
        var rep = await AsAsync(Roles.SalesRep);

        var article = await CreateAsync(agent, Article("Permissions", "who may do what"));
        var updated = await agent.PutJsonAsync($"/api/v1/knowledge/articles/{article.Id()}", Article("Permissions", "who may do what, again"), article.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(HttpStatusCode.OK, (await rep.GetJsonAsync($"/api/v1/knowledge/articles/{article.Id()}")).Status);

        (await readOnly.PostJsonAsync("/api/v1/knowledge/articles", Article("No", "no"))).AssertProblem(HttpStatusCode.Forbidden);
        (await rep.PostJsonAsync("/api/v1/knowledge/categories", new { name = "No" })).AssertProblem(HttpStatusCode.Forbidden);
        (await agent.DeleteJsonAsync($"/api/v1/knowledge/articles/{article.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Anonymous().GetJsonAsync("/api/v1/knowledge/articles")).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteJsonAsync($"/api/v1/knowledge/articles/{article.Id()}", updated.Body.ETag())).Status);
        (await agent.GetJsonAsync($"/api/v1/knowledge/articles/{article.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        var audit = await PlatformServices.QueryAsync(Platform.Service, db => db.Set<CrmPlatform.Persistence.Audit.AuditEntry>().AsNoTracking()
            .Where(e => e.EntityId == article.Id()).OrderBy(e => e.CreatedAt).Select(e => e.Action).ToListAsync());
        Assert.Equal(["created", "updated", "deleted"], audit);
    }

    [Fact]
    public async Task Every_published_change_keeps_the_version_before_and_is_announced()
    {
        var agent = await AsAsync(Roles.ServiceAgent);
        var draft = await CreateAsync(agent, Article("Reset your password", "First draft.", status: "draft"));
        Assert.Equal(0, draft.GetProperty("revision").GetInt32());
        Assert.Empty((await agent.GetJsonAsync($"/api/v1/knowledge/articles/{draft.Id()}/versions")).Items());

        var first = (await agent.PutJsonAsync($"/api/v1/knowledge/articles/{draft.Id()}", Article("Reset your password", "Use the link on the sign-in page."), draft.ETag())).Body;
        var second = (await agent.PutJsonAsync($"/api/v1/knowledge/articles/{draft.Id()}", Article("Resetting your password", "Use **Forgot password** on the sign-in page."), first.ETag())).Body;
        // Moving it to another category without changing its text is no new published version.
        var category = await agent.PostJsonAsync("/api/v1/knowledge/categories", new { name = $"Accounts {Guid.NewGuid():N}" }).CreatedAsync();
        var moved = (await agent.PutJsonAsync($"/api/v1/knowledge/articles/{draft.Id()}",
            Article("Resetting your password", "Use **Forgot password** on the sign-in page.", categoryId: category.Id()), second.ETag())).Body;
        Assert.Equal(2, moved.GetProperty("revision").GetInt32());

        var versions = (await agent.GetJsonAsync($"/api/v1/knowledge/articles/{draft.Id()}/versions")).Items();
        Assert.Equal([2, 1], versions.Select(v => v.GetProperty("number").GetInt32()));
        var old = (await agent.GetJsonAsync($"/api/v1/knowledge/articles/{draft.Id()}/versions/1")).Body;
        Assert.Equal("Reset your password", old.Str("title"));
        Assert.Equal("Use the link on the sign-in page.", old.Str("body"));
        Assert.Contains("<strong>Forgot password</strong>", (await agent.GetJsonAsync($"/api/v1/knowledge/articles/{draft.Id()}/versions/2")).Body.Str("bodyHtml"));
        (await agent.GetJsonAsync($"/api/v1/knowledge/articles/{draft.Id()}/versions/3")).AssertProblem(HttpStatusCode.NotFound);

        var published = await PlatformServices.QueryAsync(Platform.Service, async db => (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.EventType == typeof(KnowledgeArticlePublished).FullName).ToListAsync())
            .Select(m => (KnowledgeArticlePublished)m.ToEvent()).Where(e => e.AggregateId == draft.Id()).OrderBy(e => e.Revision).ToList());
        Assert.Equal([1, 2], published.Select(e => e.Revision));
        Assert.All(published, e => Assert.Equal(TenantContext.DefaultTenantId, e.TenantId));
        Assert.Equal("Resetting your password", published[1].Title);
    }

    [Fact]
    public async Task Translations_are_linked_one_per_language()
    {
        var agent = await AsAsync(Roles.ServiceAgent);
        var english = await CreateAsync(agent, Article("Download an invoice", "Open Billing, then Invoices."));
        var german = await CreateAsync(agent, Article("Rechnung herunterladen", "Öffnen Sie Abrechnung, dann Rechnungen.", "de", translationOf: english.Id()));

        Assert.Equal(english.Str("translationGroupId"), german.Str("translationGroupId"));
        var translations = (await agent.GetJsonAsync($"/api/v1/knowledge/articles/{english.Id()}/translations")).Items();
        Assert.Equal([german.Id()], translations.Select(t => t.Id()));
        (await agent.PostJsonAsync("/api/v1/knowledge/articles", Article("Noch eine", "x", "de", translationOf: english.Id()))).AssertProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_category_in_use_cannot_be_deleted_and_names_are_unique()
    {
        var agent = await AsAsync(Roles.ServiceAgent);
        var name = $"Billing {Guid.NewGuid():N}";
        var category = await agent.PostJsonAsync("/api/v1/knowledge/categories", new { name }).CreatedAsync();
        (await agent.PostJsonAsync("/api/v1/knowledge/categories", new { name })).AssertProblem(HttpStatusCode.Conflict);
        await CreateAsync(agent, Article("In billing", "x", categoryId: category.Id()));

        (await _admin.DeleteJsonAsync($"/api/v1/knowledge/categories/{category.Id()}", category.ETag())).AssertProblem(HttpStatusCode.Conflict);
        var listed = (await agent.GetJsonAsync($"/api/v1/knowledge/articles?filter[categoryId]={category.Id()}")).Items();
        Assert.Single(listed);
    }

    [Fact]
    public async Task German_search_finds_inflected_forms_umlauts_and_word_starts()
    {
        var (_, agent) = await NewTenantAgentAsync();
        await CreateAsync(agent, Article("Rechnung herunterladen", "So laden Sie Ihre Rechnung als PDF herunter: Öffnen Sie den Bereich Abrechnung.", "de"));
        await CreateAsync(agent, Article("Rückerstattung beantragen", "Eine Rückerstattung können Sie innerhalb von 30 Tagen beantragen. Gebühren werden erstattet.", "de"));
        await CreateAsync(agent, Article("Passwort ändern", "Ihr Passwort ändern Sie unter Einstellungen.", "de"));

        Assert.Equal(["Rechnung herunterladen"], await SearchTitlesAsync(agent, "q=Rechnungen"));
        Assert.Equal(["Rechnung herunterladen"], await SearchTitlesAsync(agent, "q=rechnungen%20pdf&prefix=false"));
        Assert.Equal(["Rückerstattung beantragen"], await SearchTitlesAsync(agent, "q=R%C3%BCckerstattungen"));
        Assert.Equal(["Rückerstattung beantragen"], await SearchTitlesAsync(agent, "q=R%C3%9CCKERSTATTUNG"));
        Assert.Equal(["Passwort ändern"], await SearchTitlesAsync(agent, "q=Passw%C3%B6rter"));
        // Type-ahead: the last word is the start of one.
        Assert.Equal(["Rechnung herunterladen"], await SearchTitlesAsync(agent, "q=Rechn"));
        Assert.Equal(["Rückerstattung beantragen"], await SearchTitlesAsync(agent, "q=R%C3%BCcker"));
        Assert.Empty(await SearchTitlesAsync(agent, "q=Rechn&prefix=false"));
        Assert.Empty(await SearchTitlesAsync(agent, "q=Rechnung&language=en"));

        var hit = (await agent.GetJsonAsync("/api/v1/knowledge/articles/search?q=Abrechnung")).Items().Single();
        Assert.Contains("<mark>Abrechnung</mark>", hit.Str("snippet"));
        Assert.True(hit.GetProperty("score").GetDouble() > 0);
    }

    [Fact]
    public async Task English_search_stems_and_ranks_titles_above_text()
    {
        var (_, agent) = await NewTenantAgentAsync();
        await CreateAsync(agent, Article("Contact support", "Write to us about anything, invoices included."));
        await CreateAsync(agent, Article("Invoices and payments", "Where to find what you paid."));
        await CreateAsync(agent, Article("Reset your password", "Request a reset link from the sign-in page.", status: "draft"));

        Assert.Equal(["Invoices and payments", "Contact support"], await SearchTitlesAsync(agent, "q=invoice"));
        Assert.Equal(["Reset your password"], await SearchTitlesAsync(agent, "q=resetting%20passwords"));
        Assert.Empty(await SearchTitlesAsync(agent, "q=resetting%20passwords&status=published"));
        Assert.Empty(await SearchTitlesAsync(agent, "q=the%20and"));
        // Operators typed by a user are words, not tsquery syntax.
        Assert.Empty(await SearchTitlesAsync(agent, "q=%21%7C%26%28%29%3A%2A"));
    }

    [Fact]
    public async Task Suggestions_rank_published_articles_by_how_much_of_the_ticket_they_match()
    {
        var (_, agent) = await NewTenantAgentAsync();
        var invoices = await CreateAsync(agent, Article("Rechnung herunterladen", "Ihre Rechnungen finden Sie als PDF unter Abrechnung.", "de"));
        var refunds = await CreateAsync(agent, Article("Rückerstattung beantragen", "Eine Rückerstattung für eine doppelte Rechnung beantragen Sie im Formular.", "de"));
        await CreateAsync(agent, Article("Rechnung: Entwurf", "Rechnung Rechnung Rechnung PDF herunterladen", "de", status: "draft"));
        var english = await CreateAsync(agent, Article("Download an invoice", "Your invoices are in Billing as PDF."));

        var german = (await agent.PostJsonAsync("/api/v1/knowledge/suggestions", new
        {
            subject = "Rechnung fehlt",
            description = "Hallo, ich kann meine Rechnungen für März nicht als PDF herunterladen. Bitte helfen Sie mir.",
        })).Items();
        Assert.Equal([invoices.Id(), refunds.Id()], german.Select(s => s.GetProperty("articleId").GetGuid()));
        var scores = german.Select(s => s.GetProperty("score").GetDouble()).ToList();
        Assert.True(scores[0] > scores[1] && scores[1] > 0, string.Join(", ", scores));

        var inEnglish = (await agent.PostJsonAsync("/api/v1/knowledge/suggestions", new
        {
            subject = "Where is my invoice?",
            description = "I cannot download the invoices for March.",
        })).Items();
        Assert.Equal([english.Id()], inEnglish.Select(s => s.GetProperty("articleId").GetGuid()));

        Assert.Empty((await agent.PostJsonAsync("/api/v1/knowledge/suggestions", new { subject = "Urlaub", description = "Wann habt ihr Betriebsferien?" })).Items());
        (await agent.PostJsonAsync("/api/v1/knowledge/suggestions", new { subject = "", description = "" })).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_help_centre_shows_a_tenants_published_articles_to_anyone_and_nothing_else()
    {
        var (tenant, agent) = await NewTenantAgentAsync();
        var (otherTenant, otherAgent) = await NewTenantAgentAsync();
        var category = await agent.PostJsonAsync("/api/v1/knowledge/categories", new { name = "Rechnungen", description = "Alles zur Abrechnung" }).CreatedAsync();
        var published = await CreateAsync(agent, Article("Rechnung herunterladen", "So geht es.", "de", categoryId: category.Id()));
        var draft = await CreateAsync(agent, Article("Rechnung stornieren", "Noch nicht fertig.", "de", status: "draft"));
        var translation = await CreateAsync(agent, Article("Download an invoice", "Like this.", translationOf: published.Id()));
        var others = await CreateAsync(otherAgent, Article("Rechnung anderer Mandant", "Geheim.", "de"));

        var anonymous = Anonymous();
        var list = await anonymous.GetJsonAsync($"/api/v1/help-centre/{tenant}/articles?filter[language]=de");
        Assert.Equal([published.Id()], list.Items().Select(a => a.Id()));

        var page = await anonymous.GetJsonAsync($"/api/v1/help-centre/{tenant}/articles/{published.Id()}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("So geht es.", page.Body.Str("html"));
        Assert.Equal([translation.Id()], page.Body.GetProperty("translations").EnumerateArray().Select(t => t.Id()));
        foreach (var internalField in new[] { "body", "createdBy", "updatedBy", "status", "version" })
        {
            Assert.False(page.Body.TryGetProperty(internalField, out _), internalField);
        }
        Assert.Contains("public", page.Response.Headers.CacheControl!.ToString());
        var etag = page.Response.Headers.ETag!;

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/help-centre/{tenant}/articles/{published.Id()}");
        conditional.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(conditional)).StatusCode);

        (await anonymous.GetJsonAsync($"/api/v1/help-centre/{tenant}/articles/{draft.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await anonymous.GetJsonAsync($"/api/v1/help-centre/{tenant}/articles/{others.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await anonymous.GetJsonAsync($"/api/v1/help-centre/{otherTenant}/articles/{published.Id()}")).AssertProblem(HttpStatusCode.NotFound);

        var search = (await anonymous.GetJsonAsync($"/api/v1/help-centre/{tenant}/search?q=Rechnung")).Items();
        Assert.Equal([published.Id()], search.Select(h => h.Id()));
        var othersSearch = (await anonymous.GetJsonAsync($"/api/v1/help-centre/{otherTenant}/search?q=Rechnung")).Items();
        Assert.Equal([others.Id()], othersSearch.Select(h => h.Id()));
        Assert.Equal(["Rechnungen"], (await anonymous.GetJsonAsync($"/api/v1/help-centre/{tenant}/categories")).Items().Select(c => c.Str("name")));

        // A change shows: the ETag of the page moves with its content.
        var current = (await agent.GetJsonAsync($"/api/v1/knowledge/articles/{published.Id()}")).Body;
        await agent.PutJsonAsync($"/api/v1/knowledge/articles/{published.Id()}", Article("Rechnung herunterladen", "So geht es jetzt.", "de", categoryId: category.Id()), current.ETag());
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/help-centre/{tenant}/articles/{published.Id()}");
        again.Headers.IfNoneMatch.Add(etag);
        var changed = await anonymous.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Contains("jetzt", await changed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_api_description_lists_the_knowledge_base_help_centre_and_canned_responses()
    {
        var document = await Anonymous().GetJsonAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, document.Status);
        var paths = document.Body.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[]
                 {
                     "/api/v1/knowledge/articles", "/api/v1/knowledge/articles/search", "/api/v1/knowledge/articles/{id}/versions/{number}",
                     "/api/v1/knowledge/categories", "/api/v1/knowledge/suggestions", "/api/v1/help-centre/{tenantId}/articles/{id}",
                     "/api/v1/help-centre/{tenantId}/search", "/api/v1/canned-responses", "/api/v1/canned-responses/{id}/render",
                 })
        {
            Assert.Contains(path, paths);
        }
    }

    [Fact]
    public async Task Another_tenants_agents_see_none_of_it()
    {
        var (_, agent) = await NewTenantAgentAsync();
        var (_, stranger) = await NewTenantAgentAsync();
        var article = await CreateAsync(agent, Article("Zahlungsarten", "Wir akzeptieren Überweisung.", "de"));

        (await stranger.GetJsonAsync($"/api/v1/knowledge/articles/{article.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await stranger.PutJsonAsync($"/api/v1/knowledge/articles/{article.Id()}", Article("Mine", "now", "de"), Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await stranger.GetJsonAsync($"/api/v1/knowledge/articles/{article.Id()}/versions")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await stranger.GetJsonAsync("/api/v1/knowledge/articles")).Items());
        Assert.Empty(await SearchTitlesAsync(stranger, "q=Zahlungsarten"));
        Assert.Empty((await stranger.PostJsonAsync("/api/v1/knowledge/suggestions", new { subject = "Zahlungsarten Überweisung" })).Items());
        Assert.Single(await SearchTitlesAsync(agent, "q=Zahlungsarten"));
    }
}
