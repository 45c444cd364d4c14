using System.Net;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Identity;

/// <summary>Identity's own writes are audited and idempotent like every service's; secrets never reach the log.</summary>
public sealed class IdentityAuditTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _admin = fixture.Platform.ClientFor(fixture.Platform.Identity.Factory);

    [Fact]
    public async Task A_users_creation_is_audited_with_the_password_redacted()
    {
        var user = await IdentityApi.NewUserAsync(_admin);

        var audit = await _admin.GetJsonAsync($"/api/v1/audit?entityType=user&entityId={user.Id}");
        Assert.Equal(HttpStatusCode.OK, audit.Status);
        var entry = Assert.Single(audit.Body.GetProperty("items").EnumerateArray());
        Assert.Equal("created", entry.Str("action"));
        Assert.Equal("test-admin", entry.Str("actorId"));
        var changes = entry.GetProperty("changes");
        Assert.Equal("***", changes.GetProperty("passwordHash").Str("to"));
        Assert.Equal(user.Email, changes.GetProperty("email").Str("to"));
        Assert.DoesNotContain(user.Password, audit.Body.GetRawText());
        Assert.False(changes.TryGetProperty("failedLogins", out _));
    }

    [Fact]
    public async Task Creating_a_team_twice_with_one_idempotency_key_creates_one_team()
    {
        var key = Guid.NewGuid().ToString();
        var name = $"Team {key}";
        _admin.DefaultRequestHeaders.Add("Idempotency-Key", key);
        try
        {
            var first = await _admin.PostJsonAsync("/api/v1/teams", new { name, memberIds = Array.Empty<Guid>() });
            var retry = await _admin.PostJsonAsync("/api/v1/teams", new { name, memberIds = Array.Empty<Guid>() });
            Assert.Equal(HttpStatusCode.Created, first.Status);
            Assert.Equal(first.Body.Id(), retry.Body.Id());
            Assert.Equal("true", Assert.Single(retry.Response.Headers.GetValues("Idempotent-Replayed")));
        }
        finally
        {
            _admin.DefaultRequestHeaders.Remove("Idempotency-Key");
        }
    }
}
