using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// A lead's likely matches come from Contacts' own duplicate rules, asked over the real broker of a running Contacts:
/// the same address, a tagged address, a similar name, an organization's domain; Contacts' record scopes decide whom
/// it names; no answer in time is a 503.
/// </summary>
public sealed class LeadMatchesTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private PlatformServices Platform => fixture.Platform;

    private async Task<System.Text.Json.JsonElement> LeadAsync(string lastName, string email, string? company = null, string? companyDomain = null,
        HttpClient? sales = null, string firstName = "Ada") =>
        await (sales ?? _sales).PostJsonAsync("/api/v1/leads", new { firstName, lastName, email, company, companyDomain, country = "GB" }).CreatedAsync();

    /// <summary>
    /// A lead's matches; a 503 (Contacts slower than the request's timeout, as a cold Contacts on a loaded machine can
    /// be) is asked again, so what these tests check is the answer itself.
    /// </summary>
    private static Task<ApiAnswer> MatchesAsync(HttpClient sales, Guid leadId) =>
        Eventually.ReturnsAsync(() => sales.GetJsonAsync($"/api/v1/leads/{leadId}/matches"), a => a.Status != HttpStatusCode.ServiceUnavailable,
            "Contacts answers in time", TimeSpan.FromSeconds(90));

    [Fact]
    public async Task People_and_organizations_are_matched_by_contacts_rules_with_score_strength_and_reasons()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var organization = await _contacts.PostJsonAsync("/api/v1/organizations", new { name = $"Difference Engines {marker} Ltd", domain = $"engines-{marker}.example" }).CreatedAsync();
        var person = await _contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(email: $"ada@engines-{marker}.example", firstName: "Ada", lastName: $"Lovelace{marker}")).CreatedAsync();

        // The identical address, and the organization by its domain (a different spelling of the name).
        var same = await LeadAsync($"Lovelace{marker}", $"ada@engines-{marker}.example", $"Difference Engines {marker}", $"engines-{marker}.example");
        var matches = await MatchesAsync(_sales, same.Id());
        Assert.Equal(HttpStatusCode.OK, matches.Status);
        var personMatch = Assert.Single(matches.Body.GetProperty("people").EnumerateArray().ToList());
        Assert.Equal((person.Id(), "strong"), (personMatch.Id(), personMatch.Str("strength")));
        Assert.True(personMatch.GetProperty("score").GetInt32() >= 100);
        var rules = personMatch.GetProperty("reasons").EnumerateArray().Select(r => r.Str("rule")).ToList();
        Assert.Contains("same-address", rules);
        Assert.Contains("similar-name", rules);
        var organizationMatch = Assert.Single(matches.Body.GetProperty("organizations").EnumerateArray().ToList());
        Assert.Equal(organization.Id(), organizationMatch.Id());
        Assert.Contains("same-domain", organizationMatch.GetProperty("reasons").EnumerateArray().Select(r => r.Str("rule")));
        Assert.Equal(person.Str("firstName") + " " + person.Str("lastName"), personMatch.Str("displayName"));

        // A tagged address is Contacts' same-email rule.
        var tagged = await LeadAsync("Byron", $"ada+crm@engines-{marker}.example");
        var taggedMatch = Assert.Single((await MatchesAsync(_sales, tagged.Id())).Body.GetProperty("people").EnumerateArray().ToList());
        Assert.Equal(person.Id(), taggedMatch.Id());
        Assert.Equal(["same-email"], taggedMatch.GetProperty("reasons").EnumerateArray().Select(r => r.Str("rule")));

        // Nothing alike, nothing listed.
        var stranger = await LeadAsync($"Zz{marker}Q", $"{marker}@nowhere.example", $"Qq{marker} Unrelated");
        var none = (await MatchesAsync(_sales, stranger.Id())).Body;
        Assert.Empty(none.GetProperty("people").EnumerateArray());
        Assert.Empty(none.GetProperty("organizations").EnumerateArray());

        (await MatchesAsync(_sales, Guid.NewGuid())).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Contacts_names_only_whom_the_asker_sees_there_and_other_tenants_nothing()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var email = $"grace.{marker}@example.com";
        var person = await _contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email, firstName: "Grace", lastName: $"Hopper{marker}")).CreatedAsync();

        // A rep's own lead: the admin's person is outside the rep's record scope in Contacts, so it is not named.
        var rep = Guid.NewGuid().ToString();
        var repSales = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(rep, TenantContext.DefaultTenantId, Roles.SalesRep));
        var repLead = await LeadAsync($"Hopper{marker}", email, sales: repSales, firstName: "Grace");
        var forRep = await MatchesAsync(repSales, repLead.Id());
        Assert.Equal(HttpStatusCode.OK, forRep.Status);
        Assert.Empty(forRep.Body.GetProperty("people").EnumerateArray());
        // The admin sees the same lead's match.
        Assert.Equal(person.Id(), Assert.Single((await MatchesAsync(_sales, repLead.Id())).Body.GetProperty("people").EnumerateArray().ToList()).Id());

        // Another tenant's identical lead finds nobody of this tenant.
        var otherSales = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), Guid.NewGuid(), Roles.Admin));
        var otherLead = await LeadAsync($"Hopper{marker}", email, sales: otherSales, firstName: "Grace");
        Assert.Empty((await MatchesAsync(otherSales, otherLead.Id())).Body.GetProperty("people").EnumerateArray());
        (await MatchesAsync(otherSales, repLead.Id())).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Without_an_answer_from_contacts_the_matches_are_a_503_and_come_back_with_it()
    {
        var lead = await LeadAsync("Lamarr", $"hedy.{Guid.NewGuid():N}@example.com");
        var contactsBus = Platform.Contacts.Services.GetRequiredService<IBusControl>();
        await contactsBus.StopAsync();
        try
        {
            var unanswered = await _sales.GetJsonAsync($"/api/v1/leads/{lead.Id()}/matches");
            unanswered.AssertProblem(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            await contactsBus.StartAsync();
        }
        await Eventually.TrueAsync(async () => (await _sales.GetJsonAsync($"/api/v1/leads/{lead.Id()}/matches")).Status == HttpStatusCode.OK,
            "Contacts answers again", TimeSpan.FromSeconds(90));
    }
}
