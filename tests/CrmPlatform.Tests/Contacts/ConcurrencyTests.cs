using System.Net;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Contacts;

/// <summary>ETags and If-Match: nobody overwrites a change they have not seen.</summary>
public sealed class ConcurrencyTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    [Fact]
    public async Task Reads_and_writes_carry_the_etag_of_the_version()
    {
        var created = await _client.PostJsonAsync("/api/v1/people", Api.NewPerson());
        Assert.Equal("\"1\"", created.Response.Headers.ETag?.ToString());

        var read = await _client.GetJsonAsync($"/api/v1/people/{created.Body.Id()}");
        Assert.Equal("\"1\"", read.Response.Headers.ETag?.ToString());

        var updated = await _client.PutJsonAsync($"/api/v1/people/{created.Body.Id()}", Api.NewPerson(email: created.Body.Str("email"), firstName: "New"), "\"1\"");
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal("\"2\"", updated.Response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Updates_and_deletes_without_if_match_answer_428_and_change_nothing()
    {
        var person = (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;
        var organization = (await _client.PostJsonAsync("/api/v1/organizations", new { name = "Acme" })).Body;

        (await _client.PutJsonAsync($"/api/v1/people/{person.Id()}", Api.NewPerson(email: person.Str("email"), firstName: "X"), null))
            .AssertProblem(HttpStatusCode.PreconditionRequired);
        (await _client.DeleteJsonAsync($"/api/v1/people/{person.Id()}", null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await _client.PutJsonAsync($"/api/v1/organizations/{organization.Id()}", new { name = "X" }, null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await _client.DeleteJsonAsync($"/api/v1/organizations/{organization.Id()}", null)).AssertProblem(HttpStatusCode.PreconditionRequired);

        var unchanged = (await _client.GetJsonAsync($"/api/v1/people/{person.Id()}")).Body;
        Assert.Equal("Ada", unchanged.Str("firstName"));
        Assert.Equal(1, unchanged.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_stale_etag_answers_412_with_the_current_one()
    {
        var person = (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;
        await _client.PutJsonAsync($"/api/v1/people/{person.Id()}", Api.NewPerson(email: person.Str("email"), firstName: "First"), person.ETag());

        var stale = await _client.PutJsonAsync($"/api/v1/people/{person.Id()}", Api.NewPerson(email: person.Str("email"), firstName: "Second"), person.ETag());
        stale.AssertProblem(HttpStatusCode.PreconditionFailed);
        Assert.Equal("\"2\"", stale.Body.Str("currentETag"));
        (await _client.DeleteJsonAsync($"/api/v1/people/{person.Id()}", person.ETag())).AssertProblem(HttpStatusCode.PreconditionFailed);
        Assert.Equal("First", (await _client.GetJsonAsync($"/api/v1/people/{person.Id()}")).Body.Str("firstName"));
    }

    [Fact]
    public async Task Of_concurrent_updates_from_the_same_version_exactly_one_wins()
    {
        var person = (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            _client.PutJsonAsync($"/api/v1/people/{person.Id()}", Api.NewPerson(email: person.Str("email"), firstName: $"Writer{i}"), person.ETag())));

        var winner = Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a != winner), a => a.AssertProblem(HttpStatusCode.PreconditionFailed));
        var final = (await _client.GetJsonAsync($"/api/v1/people/{person.Id()}")).Body;
        Assert.Equal(winner.Body.Str("firstName"), final.Str("firstName"));
        Assert.Equal(2, final.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Every_response_carries_the_trace_id_that_problems_name()
    {
        var problem = await _client.GetJsonAsync($"/api/v1/people/{Guid.CreateVersion7()}");
        var header = Assert.Single(problem.Response.Headers.GetValues("X-Trace-Id"));
        Assert.Equal(problem.Body.Str("traceId"), header);

        var list = await _client.GetJsonAsync("/api/v1/people");
        Assert.Matches("^[0-9a-f]{32}$", Assert.Single(list.Response.Headers.GetValues("X-Trace-Id")));
    }
}
