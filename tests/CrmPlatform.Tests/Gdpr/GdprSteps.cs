using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using static CrmPlatform.Tests.Consents.ConsentStatements;

namespace CrmPlatform.Tests.Gdpr;

/// <summary>The steps GDPR tests share: a person known everywhere, with consent and an opportunity, and requests.</summary>
public sealed class GdprSteps(PlatformServices platform, string? token = null)
{
    public HttpClient Contacts { get; } = platform.ClientFor(platform.Contacts, token);
    public HttpClient Sales { get; } = platform.ClientFor(platform.Sales, token);
    public HttpClient Marketing { get; } = platform.ClientFor(platform.Marketing, token);

    public const string RequestsUrl = "/api/v1/gdpr/requests";

    /// <summary>A person every subscriber knows, with a web-form newsletter grant that Marketing has applied.</summary>
    public async Task<Guid> PersonEverywhereAsync(string firstName = "Grace", string lastName = "Hopper")
    {
        var created = await Contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(firstName: firstName, lastName: lastName));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.Id();
        Assert.Equal(HttpStatusCode.Created, (await Contacts.PostJsonAsync(ConsentsUrl(id), WebFormGrant())).Status);
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(platform.Sales, id) is not null
            && await PlatformServices.DirectoryEntryAsync(platform.Service, id) is not null, "Sales and Service know the person");
        await CanContactAsync(id, "granted");
        return id;
    }

    public async Task<JsonElement> OpportunityAsync(Guid customerId, string name)
    {
        var created = await Sales.PostJsonAsync("/api/v1/opportunities",
            new { name, amount = 4200.00m, currency = "EUR", customerId, stage = "proposal" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        return created.Body;
    }

    public Task<ApiAnswer> RequestAsync(Guid personId, string type) => Contacts.PostJsonAsync(RequestsUrl, new { personId, type });

    public Task<ApiAnswer> CanContactAsync(Guid person, string reason) =>
        Eventually.ReturnsAsync(() => Marketing.GetJsonAsync(CanContactUrl(person)), a => a.Body.Str("reason") == reason,
            $"Marketing answers '{reason}'");

    /// <summary>Makes a request and waits until every expected service has answered it.</summary>
    public async Task<JsonElement> CompletedRequestAsync(Guid personId, string type)
    {
        var created = await RequestAsync(personId, type);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        return await CompletedAsync(created.Body.Id());
    }

    public async Task<JsonElement> CompletedAsync(Guid requestId) =>
        (await Eventually.ReturnsAsync(() => Contacts.GetJsonAsync($"{RequestsUrl}/{requestId}"),
            a => a.Body.Str("status") == "completed", "every service answers the request")).Body;
}
