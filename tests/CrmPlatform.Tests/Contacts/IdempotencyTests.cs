using System.Net;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Contacts;

/// <summary>A POST retried with the same Idempotency-Key creates one record and gets the first answer again.</summary>
public sealed class IdempotencyTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    private Task<ApiAnswer> PostAsync(HttpClient client, object body, string key)
    {
        client.DefaultRequestHeaders.Remove("Idempotency-Key");
        client.DefaultRequestHeaders.Add("Idempotency-Key", key);
        return client.PostJsonAsync("/api/v1/people", body);
    }

    private Task<int> CountAsync(string email) =>
        PlatformServices.QueryAsync(Platform.Contacts, db => db.People.CountAsync(p => p.NormalizedEmail == email));

    [Fact]
    public async Task A_retry_with_the_same_key_and_body_replays_the_first_answer()
    {
        var key = Guid.NewGuid().ToString();
        var person = Api.NewPerson();

        var first = await PostAsync(_client, person, key);
        var retry = await PostAsync(_client, person, key);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, retry.Status);
        Assert.Equal(first.Body.Id(), retry.Body.Id());
        Assert.Equal(first.Response.Headers.Location, retry.Response.Headers.Location);
        Assert.Equal(first.Response.Headers.ETag, retry.Response.Headers.ETag);
        Assert.Equal("true", Assert.Single(retry.Response.Headers.GetValues("Idempotent-Replayed")));
        Assert.False(first.Response.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await CountAsync(first.Body.Str("email")));
    }

    [Fact]
    public async Task The_same_key_with_a_different_body_answers_422()
    {
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(_client, Api.NewPerson(), key)).Status);

        var other = Api.NewPerson();
        (await PostAsync(_client, other, key)).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await CountAsync(((dynamic)other).email));
    }

    [Fact]
    public async Task Concurrent_retries_create_one_person()
    {
        var key = Guid.NewGuid().ToString();
        var person = Api.NewPerson();
        var clients = Enumerable.Range(0, 6).Select(_ => Platform.ClientFor(Platform.Contacts)).ToList();

        var answers = await Task.WhenAll(clients.Select(c => PostAsync(c, person, key)));

        Assert.Contains(answers, a => a.Status == HttpStatusCode.Created);
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{a.Status}"));
        Assert.Single(answers.Where(a => a.Status == HttpStatusCode.Created).Select(a => a.Body.Id()).Distinct());
        Assert.Equal(1, await CountAsync(answers.First(a => a.Status == HttpStatusCode.Created).Body.Str("email")));
    }

    [Fact]
    public async Task Keys_belong_to_a_tenant()
    {
        var key = Guid.NewGuid().ToString();
        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var person = Api.NewPerson();

        var mine = await PostAsync(_client, person, key);
        var theirs = await PostAsync(Platform.ClientFor(Platform.Contacts, otherToken), person, key);

        Assert.Equal(HttpStatusCode.Created, theirs.Status);
        Assert.NotEqual(mine.Body.Id(), theirs.Body.Id());
        Assert.False(theirs.Response.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_rejected_request_is_replayed_as_rejected()
    {
        var key = Guid.NewGuid().ToString();
        var invalid = new { firstName = "" };
        (await PostAsync(_client, invalid, key)).AssertProblem(HttpStatusCode.BadRequest);
        var retry = await PostAsync(_client, invalid, key);
        retry.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal("true", Assert.Single(retry.Response.Headers.GetValues("Idempotent-Replayed")));
    }
}
