using System.Net;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.DoubleOptIn;

/// <summary>Contacts alone, without a mail server and with a low limit on confirmation attempts.</summary>
public sealed class ContactsWithoutMailFixture : IAsyncLifetime
{
    public const int ConfirmationsPerMinute = 3;

    public IdentityServer Identity { get; private set; } = null!;
    public ServiceFactory<ContactsDbContext> Contacts { get; private set; } = null!;
    public string AdminToken { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var servers = await TestServers.GetAsync();
        var messaging = await servers.CreateVirtualHostAsync();
        Identity = await IdentityServer.StartAsync(messaging);
        AdminToken = await Identity.AdminTokenAsync();
        Contacts = new ServiceFactory<ContactsDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:contactsdb"] = await servers.CreateDatabaseAsync("contactsdb"),
            ["ConnectionStrings:messaging"] = messaging,
            ["services:identity:http:0"] = Identity.Address,
            ["DoubleOptIn:ConfirmationsPerMinute"] = ConfirmationsPerMinute.ToString(),
        });
        _ = Contacts.Server;
    }

    public async Task DisposeAsync()
    {
        await Contacts.DisposeAsync();
        await Identity.DisposeAsync();
    }
}

public sealed class ConfirmationLimitsTests(ContactsWithoutMailFixture fixture) : IClassFixture<ContactsWithoutMailFixture>
{
    [Fact]
    public async Task Without_a_mail_server_a_double_opt_in_is_a_503_and_records_nothing()
    {
        var client = fixture.Contacts.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", fixture.AdminToken);
        var person = (await client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();

        var answer = await client.PostJsonAsync($"/api/v1/people/{person}/consents/double-opt-in",
            new { purpose = "newsletter", channel = "email", source = "api" });

        answer.AssertProblem(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("ConnectionStrings__mail", answer.Body.Str("detail"));
        Assert.Empty((await client.GetJsonAsync($"/api/v1/people/{person}/consents")).Body.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Guessing_tokens_is_limited_per_client_address_with_429_and_retry_after()
    {
        var anonymous = fixture.Contacts.CreateClient();
        for (var attempt = 0; attempt < ContactsWithoutMailFixture.ConfirmationsPerMinute; attempt++)
        {
            (await anonymous.PostJsonAsync("/api/v1/consents/confirm", new { token = $"guess-{attempt}" })).AssertProblem(HttpStatusCode.NotFound);
        }

        var limited = await anonymous.PostJsonAsync("/api/v1/consents/confirm", new { token = "one-guess-too-many" });
        limited.AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(limited.Response.Headers.GetValues("Retry-After").Single()) > 0);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await anonymous.GetAsync("/api/v1/consents/confirm?token=x")).StatusCode);
    }
}
