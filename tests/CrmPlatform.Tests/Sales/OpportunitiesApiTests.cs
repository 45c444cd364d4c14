using System.Net;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Sales;

/// <summary>Opportunities through Sales' own API, with customers arriving from Contacts over RabbitMQ.</summary>
public sealed class OpportunitiesApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private PlatformServices Platform => fixture.Platform;

    private async Task<Guid> PersonKnownToSalesAsync(string firstName = "Ada", string lastName = "Lovelace")
    {
        var id = (await _contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(firstName: firstName, lastName: lastName))).Body.Id();
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, id) is not null, "Sales knows the person");
        return id;
    }

    private static object Opportunity(Guid customerId, string name = "Big deal", string? stage = null) =>
        new { name, amount = 12500.50m, currency = "EUR", customerId, stage, expectedCloseDate = "2027-03-31" };

    [Fact]
    public async Task A_person_created_in_contacts_reaches_sales_marketing_and_service()
    {
        var id = (await _contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(firstName: "Mary", lastName: "Jackson"))).Body.Id();

        foreach (var entry in new[]
                 {
                     () => PlatformServices.DirectoryEntryAsync(Platform.Sales, id),
                     () => PlatformServices.DirectoryEntryAsync(Platform.Marketing, id),
                     () => PlatformServices.DirectoryEntryAsync(Platform.Service, id),
                 })
        {
            var contact = await Eventually.ReturnsAsync(entry, c => c is not null, "the person reaches every subscriber");
            Assert.Equal("Mary Jackson", contact!.DisplayName);
            Assert.Equal(1, contact.Version);
        }
    }

    [Fact]
    public async Task Opportunity_for_an_unknown_customer_answers_422()
    {
        var answer = await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(Guid.CreateVersion7()));
        answer.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("customerId", out _));
    }

    [Fact]
    public async Task Invalid_opportunity_answers_400_with_field_errors()
    {
        var answer = await _sales.PostJsonAsync("/api/v1/opportunities", new { name = "", amount = -1, currency = "euro", stage = "won-ish" });
        answer.AssertProblem(HttpStatusCode.BadRequest);
        var errors = answer.Body.GetProperty("errors");
        foreach (var field in new[] { "name", "amount", "currency", "customerId", "stage" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task Renaming_the_person_in_contacts_shows_on_the_opportunity()
    {
        var person = await PersonKnownToSalesAsync("Dorothy", "Vaughan");
        var created = await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(person));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var opportunity = created.Body.Id();
        Assert.Equal("Dorothy Vaughan", created.Body.GetProperty("customer").Str("displayName"));
        Assert.Equal("prospecting", created.Body.Str("stage"));

        var current = (await _contacts.GetJsonAsync($"/api/v1/people/{person}")).Body;
        await _contacts.PutJsonAsync($"/api/v1/people/{person}", Api.NewPerson(email: current.Str("email"), firstName: "Dot", lastName: "Vaughan"), current.ETag());

        await Eventually.TrueAsync(async () =>
            (await _sales.GetJsonAsync($"/api/v1/opportunities/{opportunity}")).Body.GetProperty("customer").Str("displayName") == "Dot Vaughan",
            "the opportunity shows the new name");
    }

    [Fact]
    public async Task Opportunity_crud_and_list()
    {
        var person = await PersonKnownToSalesAsync();
        var id = (await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(person))).Body.Id();

        var updated = await _sales.PutJsonAsync($"/api/v1/opportunities/{id}", Opportunity(person, name: "Bigger deal", stage: "negotiation"), "\"1\"");
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal("negotiation", updated.Body.Str("stage"));
        Assert.Equal(2, updated.Body.GetProperty("version").GetInt32());

        var list = await _sales.GetJsonAsync("/api/v1/opportunities?limit=200");
        Assert.Contains(list.Body.GetProperty("items").EnumerateArray(), o => o.Id() == id && o.Str("name") == "Bigger deal");

        Assert.Equal(HttpStatusCode.NoContent, (await _sales.DeleteJsonAsync($"/api/v1/opportunities/{id}", updated.Body.ETag())).Status);
        (await _sales.GetJsonAsync($"/api/v1/opportunities/{id}")).AssertProblem(HttpStatusCode.NotFound);
        (await _sales.DeleteJsonAsync($"/api/v1/opportunities/{id}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_deleted_person_can_no_longer_get_new_opportunities()
    {
        var person = await PersonKnownToSalesAsync();
        await _contacts.DeleteJsonAsync($"/api/v1/people/{person}", Api.AnyVersion);
        await Eventually.TrueAsync(async () => (await PlatformServices.DirectoryEntryAsync(Platform.Sales, person))!.IsDeleted, "the deletion reaches Sales");

        (await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(person))).AssertProblem(HttpStatusCode.UnprocessableEntity);
    }
}
