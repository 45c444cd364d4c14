using System.Net;
using CrmPlatform.Service.Tickets;
using CrmPlatform.Service.WebForm;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CrmPlatform.Tests.Service.ServiceTestData;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// The public help-centre form, anonymous: a request becomes a web ticket; bots are kept out by the honeypot, the signed
/// form token's minimum fill time and lifetime, and the rate limits; bad input is a problem, never a ticket.
/// </summary>
public sealed class WebFormTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _anonymous = fixture.Platform.Service.CreateClient();

    private FormTokens Tokens => Platform.Service.Services.GetRequiredService<FormTokens>();

    private async Task<Guid> DeskAsync()
    {
        var (tenant, token) = await Platform.Identity.NewTenantAsync(Roles.Admin);
        await Platform.ClientFor(Platform.Service, token).PostJsonAsync("/api/v1/support-addresses", new { address = $"help-{Guid.NewGuid():N}@acme.test" })
            .CreatedAsync();
        return tenant;
    }

    /// <summary>A token as the form page got it <paramref name="secondsAgo"/> seconds ago.</summary>
    private string TokenFrom(Guid tenant, int secondsAgo = 10) => Tokens.Issue(tenant, DateTimeOffset.UtcNow.AddSeconds(-secondsAgo));

    private static object Request(string? token, string email = "", string? website = null, string? subject = "Parcel missing", string? language = "de") => new
    {
        name = "Grace Hopper",
        email = email.Length == 0 ? NewEmail() : email,
        subject,
        description = "Ordered on Monday, nothing came.",
        category = "shipping",
        language,
        website,
        formToken = token,
    };

    private static string Url(Guid tenant) => $"/api/v1/help-centre/{tenant}/requests";

    private Task<List<Ticket>> TicketsAsync(Guid tenant) =>
        InboundMailTests.InTenant(Platform, tenant, db => db.Tickets.AsNoTracking().ToListAsync());

    [Fact]
    public async Task A_request_becomes_a_web_ticket()
    {
        var tenant = await DeskAsync();
        var email = NewEmail();

        var sent = await _anonymous.PostJsonAsync(Url(tenant), Request(TokenFrom(tenant), email));

        Assert.Equal(HttpStatusCode.Accepted, sent.Status);
        var ticket = Assert.Single(await TicketsAsync(tenant));
        Assert.Equal((TicketChannels.Web, "Parcel missing", "Ordered on Monday, nothing came.", email, "Grace Hopper", "shipping", "de"),
            (ticket.Channel, ticket.Subject, ticket.Description, ticket.RequesterEmail, ticket.RequesterName, ticket.Category, ticket.Language));
    }

    [Fact]
    public async Task A_filled_honeypot_is_answered_as_received_and_dropped()
    {
        var tenant = await DeskAsync();

        var sent = await _anonymous.PostJsonAsync(Url(tenant), Request(TokenFrom(tenant), website: "http://spam.example"));

        Assert.Equal(HttpStatusCode.Accepted, sent.Status);
        Assert.Empty(await TicketsAsync(tenant));
    }

    [Fact]
    public async Task A_form_sent_too_fast_or_with_an_expired_forged_or_foreign_token_is_refused()
    {
        var tenant = await DeskAsync();
        var other = await DeskAsync();

        // The token the page gets, sent back at once: faster than a person types.
        var issued = await _anonymous.GetJsonAsync($"{Url(tenant)}/form-token");
        Assert.Equal(HttpStatusCode.OK, issued.Status);
        Assert.Equal(3, issued.Body.GetProperty("minimumFillSeconds").GetInt32());
        var fresh = issued.Body.Str("token");

        var valid = TokenFrom(tenant);
        var forged = valid[..^2] + (valid[^2] == 'A' ? "B" : "A") + valid[^1];
        foreach (var token in new[] { fresh, TokenFrom(tenant, secondsAgo: 3 * 3600), forged, TokenFrom(other), "nonsense", null })
        {
            var refused = await _anonymous.PostJsonAsync(Url(tenant), Request(token));
            refused.AssertProblem(HttpStatusCode.UnprocessableEntity);
        }
        Assert.Empty(await TicketsAsync(tenant));

        // The same form, given time: taken.
        Assert.Equal(HttpStatusCode.Accepted, (await _anonymous.PostJsonAsync(Url(tenant), Request(valid))).Status);
        Assert.Single(await TicketsAsync(tenant));
    }

    [Fact]
    public async Task Bad_input_is_a_problem_and_a_tenant_without_a_desk_has_no_form()
    {
        var tenant = await DeskAsync();
        (await _anonymous.PostJsonAsync(Url(tenant), Request(TokenFrom(tenant), email: "not-an-address"))).AssertProblem(HttpStatusCode.BadRequest);
        (await _anonymous.PostJsonAsync(Url(tenant), Request(TokenFrom(tenant), subject: null))).AssertProblem(HttpStatusCode.BadRequest);
        (await _anonymous.PostJsonAsync(Url(tenant), Request(TokenFrom(tenant), language: "<script>"))).AssertProblem(HttpStatusCode.BadRequest);
        Assert.Empty(await TicketsAsync(tenant));

        var nobody = Guid.NewGuid();
        (await _anonymous.GetJsonAsync($"{Url(nobody)}/form-token")).AssertProblem(HttpStatusCode.NotFound);
        (await _anonymous.PostJsonAsync(Url(nobody), Request(TokenFrom(nobody)))).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_flood_at_one_help_centre_is_answered_429_with_retry_after()
    {
        var tenant = await DeskAsync();
        // The tests allow 5 requests per tenant and hour.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await _anonymous.PostJsonAsync(Url(tenant), Request(TokenFrom(tenant)))).Status);
        }

        var limited = await _anonymous.PostJsonAsync(Url(tenant), Request(TokenFrom(tenant)));

        limited.AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(limited.Response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(5, (await TicketsAsync(tenant)).Count);
        // Another help centre is not held back by this one's flood.
        var other = await DeskAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await _anonymous.PostJsonAsync(Url(other), Request(TokenFrom(other)))).Status);
    }
}
