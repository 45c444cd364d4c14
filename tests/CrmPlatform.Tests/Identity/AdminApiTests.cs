using System.Net;
using CrmPlatform.Contracts.Identity.V1;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CrmPlatform.Tests.Identity;

/// <summary>Users, teams, API clients and tenants through the admin API: admins only, and each tenant sees only its own.</summary>
public sealed class AdminApiTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private IdentityServer Identity => fixture.Identity;
    private HttpClient Admin => fixture.Admin;

    [Fact]
    public async Task A_user_is_created_read_listed_updated_and_deleted_with_etags_and_events()
    {
        var email = $"{Guid.NewGuid():N}@Example.test";
        var created = await Admin.PostJsonAsync("/api/v1/users", new { email, displayName = "Ada", password = "correct horse", roles = new[] { Roles.SalesRep } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.Id();
        Assert.Equal($"/api/v1/users/{id}", created.Response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", created.Response.Headers.ETag?.Tag);
        Assert.False(created.Body.TryGetProperty("password", out _));
        Assert.False(created.Body.TryGetProperty("passwordHash", out _));

        var read = await Admin.GetJsonAsync($"/api/v1/users/{id}");
        Assert.Equal(email, read.Body.Str("email"));
        Assert.Equal([Roles.SalesRep], read.Body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var listed = (await Admin.GetJsonAsync("/api/v1/users?limit=200")).Body.GetProperty("items").EnumerateArray().Select(u => u.Id());
        Assert.Contains(id, listed);

        var change = new { email, displayName = "Ada Lovelace", roles = new[] { Roles.SalesManager } };
        (await Admin.PutJsonAsync($"/api/v1/users/{id}", change, ifMatch: null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await Admin.PutJsonAsync($"/api/v1/users/{id}", change, ifMatch: "\"7\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        var updated = await Admin.PutJsonAsync($"/api/v1/users/{id}", change, read.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(2, updated.Body.GetProperty("version").GetInt32());
        Assert.Equal("Ada Lovelace", updated.Body.Str("displayName"));

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteJsonAsync($"/api/v1/users/{id}", updated.Body.ETag())).Status);
        (await Admin.GetJsonAsync($"/api/v1/users/{id}")).AssertProblem(HttpStatusCode.NotFound);

        var createdEvent = Assert.Single(await IdentityEvents.EventuallyPublishedAsync<UserCreated>(Identity, id));
        Assert.Equal((1, "Ada", TenantContext.DefaultTenantId), (createdEvent.Version, createdEvent.User.DisplayName, createdEvent.TenantId));
        var updatedEvent = Assert.Single(await IdentityEvents.EventuallyPublishedAsync<UserUpdated>(Identity, id));
        Assert.Equal((2, "Ada Lovelace"), (updatedEvent.Version, updatedEvent.User.DisplayName));
        Assert.Equal([Roles.SalesManager], updatedEvent.User.Roles);
        Assert.Equal(3, Assert.Single(await IdentityEvents.EventuallyPublishedAsync<UserDeleted>(Identity, id)).Version);
    }

    [Fact]
    public async Task Emails_are_unique_across_tenants_regardless_of_case()
    {
        var user = await IdentityApi.NewUserAsync(Admin);
        var (_, otherToken) = await Identity.NewTenantAsync();
        using var other = Identity.ClientWith(otherToken);

        var duplicate = await other.PostJsonAsync("/api/v1/users", new { email = user.Email.ToUpperInvariant(), displayName = "Copy", password = "long enough" });
        duplicate.AssertProblem(HttpStatusCode.Conflict);
        Assert.DoesNotContain(user.Id.ToString(), duplicate.Body.Str("detail"));
    }

    [Fact]
    public async Task Invalid_users_answer_400_with_the_fields_at_fault()
    {
        var answer = await Admin.PostJsonAsync("/api/v1/users", new { email = "not-an-email", displayName = "", password = "short", roles = new[] { "emperor" } });
        answer.AssertProblem(HttpStatusCode.BadRequest);
        var errors = answer.Body.GetProperty("errors");
        Assert.All(new[] { "email", "displayName", "password", "roles" }, field => Assert.True(errors.TryGetProperty(field, out _), field));

        var unknownTeam = await Admin.PostJsonAsync("/api/v1/users",
            new { email = $"{Guid.NewGuid():N}@x.test", displayName = "A", password = "long enough", teamIds = new[] { Guid.NewGuid() } });
        unknownTeam.AssertProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Team_membership_changes_both_the_team_and_the_user_and_both_publish_it()
    {
        var user = await IdentityApi.NewUserAsync(Admin);
        var team = await Admin.PostJsonAsync("/api/v1/teams", new { name = "North", memberIds = new[] { user.Id } });
        Assert.Equal(HttpStatusCode.Created, team.Status);
        var teamId = team.Body.Id();
        Assert.Equal([user.Id], team.Body.GetProperty("memberIds").EnumerateArray().Select(m => m.GetGuid()));

        var member = (await Admin.GetJsonAsync($"/api/v1/users/{user.Id}")).Body;
        Assert.Equal([teamId], member.GetProperty("teamIds").EnumerateArray().Select(t => t.GetGuid()));
        Assert.Equal(2, member.GetProperty("version").GetInt32());

        // Leaving the team from the user's side.
        var left = await Admin.PutJsonAsync($"/api/v1/users/{user.Id}",
            new { email = user.Email, displayName = "Grace Hopper", roles = new[] { Roles.SalesRep }, teamIds = Array.Empty<Guid>() }, member.ETag());
        Assert.Equal(HttpStatusCode.OK, left.Status);
        Assert.Empty(left.Body.GetProperty("teamIds").EnumerateArray());
        var teamNow = (await Admin.GetJsonAsync($"/api/v1/teams/{teamId}")).Body;
        Assert.Empty(teamNow.GetProperty("memberIds").EnumerateArray());
        Assert.Equal(2, teamNow.GetProperty("version").GetInt32());

        Assert.Equal([user.Id], Assert.Single(await IdentityEvents.EventuallyPublishedAsync<TeamCreated>(Identity, teamId)).Team.MemberIds);
        Assert.Empty(Assert.Single(await IdentityEvents.EventuallyPublishedAsync<TeamUpdated>(Identity, teamId)).Team.MemberIds);
        var userEvents = await IdentityEvents.EventuallyPublishedAsync<UserUpdated>(Identity, user.Id, count: 2);
        Assert.Equal([teamId], userEvents[0].User.TeamIds);
        Assert.Empty(userEvents[1].User.TeamIds);

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteJsonAsync($"/api/v1/teams/{teamId}", teamNow.ETag())).Status);
        Assert.Equal(3, Assert.Single(await IdentityEvents.EventuallyPublishedAsync<TeamDeleted>(Identity, teamId)).Version);
    }

    [Fact]
    public async Task Another_tenants_users_teams_and_clients_answer_404_and_are_not_listed()
    {
        var user = await IdentityApi.NewUserAsync(Admin);
        var team = (await Admin.PostJsonAsync("/api/v1/teams", new { name = "Mine" })).Body;
        var client = (await Admin.PostJsonAsync("/api/v1/api-clients", new { name = "Mine" })).Body;
        var (_, otherToken) = await Identity.NewTenantAsync();
        using var other = Identity.ClientWith(otherToken);

        (await other.GetJsonAsync($"/api/v1/users/{user.Id}")).AssertProblem(HttpStatusCode.NotFound);
        (await other.PutJsonAsync($"/api/v1/users/{user.Id}", new { email = user.Email, displayName = "Mine now" }, Api.AnyVersion))
            .AssertProblem(HttpStatusCode.NotFound);
        (await other.DeleteJsonAsync($"/api/v1/users/{user.Id}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await other.GetJsonAsync($"/api/v1/teams/{team.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await other.DeleteJsonAsync($"/api/v1/api-clients/{client.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        (await other.PostJsonAsync("/api/v1/teams", new { name = "Theirs", memberIds = new[] { user.Id } })).AssertProblem(HttpStatusCode.UnprocessableEntity);

        Assert.Empty((await other.GetJsonAsync("/api/v1/users")).Body.GetProperty("items").EnumerateArray());
        Assert.Empty((await other.GetJsonAsync("/api/v1/teams")).Body.GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetJsonAsync($"/api/v1/users/{user.Id}")).Status);
    }

    [Fact]
    public async Task Only_admins_reach_the_admin_api()
    {
        string[] collections = ["/api/v1/users", "/api/v1/teams", "/api/v1/api-clients", "/api/v1/tenants"];
        foreach (var role in Roles.All.Where(r => r != Roles.Admin))
        {
            using var client = Identity.ClientWith(await Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, role));
            foreach (var path in collections)
            {
                (await client.GetJsonAsync(path)).AssertProblem(HttpStatusCode.Forbidden);
                (await client.GetJsonAsync($"{path}/{Guid.NewGuid()}")).AssertProblem(HttpStatusCode.Forbidden);
                (await client.PostJsonAsync(path, new { name = "x", email = "x@y.test", displayName = "X", password = "long enough" }))
                    .AssertProblem(HttpStatusCode.Forbidden);
            }
        }
        foreach (var path in collections)
        {
            Assert.Equal(HttpStatusCode.OK, (await Admin.GetJsonAsync(path)).Status);
        }

        using var anonymous = new HttpClient { BaseAddress = new Uri(Identity.Address) };
        (await anonymous.GetJsonAsync("/api/v1/users")).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_api_clients_secret_is_shown_once_and_works_at_the_token_endpoint()
    {
        var created = await Admin.PostJsonAsync("/api/v1/api-clients", new { clientId = $"partner-{Guid.NewGuid():N}", name = "Partner", roles = new[] { Roles.ReadOnly } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var clientId = created.Body.Str("clientId");
        var secret = created.Body.Str("clientSecret");
        Assert.True(secret.Length >= 40);

        var read = await Admin.GetJsonAsync($"/api/v1/api-clients/{created.Body.Id()}");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, read.Body.GetProperty("clientSecret").ValueKind);
        Assert.DoesNotContain(secret, (await Admin.GetJsonAsync("/api/v1/api-clients?limit=200")).Body.GetRawText());

        var token = new JsonWebToken(await Identity.TokenAsync(clientId, secret));
        Assert.Equal(clientId, token.Subject);
        Assert.Equal(TenantContext.DefaultTenantId.ToString(), token.GetClaim("tenant_id").Value);
        Assert.Equal([Roles.ReadOnly], token.Claims.Where(c => c.Type == "roles").Select(c => c.Value));

        // Disabled clients get no more tokens.
        var disabled = await Admin.PutJsonAsync($"/api/v1/api-clients/{created.Body.Id()}",
            new { name = "Partner", roles = new[] { Roles.ReadOnly }, disabled = true }, read.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, disabled.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Identity.RequestTokenAsync(clientId, secret)).StatusCode);
    }

    [Fact]
    public async Task A_public_client_cannot_use_client_credentials_and_needs_a_redirect_uri()
    {
        var answer = await Admin.PostJsonAsync("/api/v1/api-clients", new { name = "SPA", isPublic = true, grantTypes = new[] { "client_credentials", "authorization_code" } });
        answer.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("grantTypes", out _));
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("redirectUris", out _));

        var created = await Admin.PostJsonAsync("/api/v1/api-clients", new { name = "SPA", isPublic = true, redirectUris = new[] { "https://app.test/cb" } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, created.Body.GetProperty("clientSecret").ValueKind);
        Assert.Equal(["authorization_code", "refresh_token"], created.Body.GetProperty("grantTypes").EnumerateArray().Select(g => g.GetString()));
    }

    [Fact]
    public async Task The_platform_admin_creates_a_tenant_with_its_first_admins_who_see_only_their_tenant()
    {
        var email = $"{Guid.NewGuid():N}@newco.test";
        var created = await Admin.PostJsonAsync("/api/v1/tenants", new
        {
            name = "NewCo",
            adminUser = new { email, displayName = "NewCo admin", password = "long enough" },
            adminClient = new { name = "NewCo scripts" },
        });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var tenantId = created.Body.Id();
        Assert.Equal([Roles.Admin], created.Body.GetProperty("adminUser").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var adminClient = created.Body.GetProperty("adminClient");

        var token = await Identity.TokenAsync(adminClient.Str("clientId"), adminClient.Str("clientSecret"));
        Assert.Equal(tenantId.ToString(), new JsonWebToken(token).GetClaim("tenant_id").Value);
        using var newCo = Identity.ClientWith(token);

        Assert.Equal([tenantId], (await newCo.GetJsonAsync("/api/v1/tenants")).Body.GetProperty("items").EnumerateArray().Select(t => t.Id()));
        (await newCo.GetJsonAsync($"/api/v1/tenants/{TenantContext.DefaultTenantId}")).AssertProblem(HttpStatusCode.NotFound);
        (await newCo.PostJsonAsync("/api/v1/tenants", new { name = "Sub", adminClient = new { name = "x" } })).AssertProblem(HttpStatusCode.Forbidden);
        var theirUsers = (await newCo.GetJsonAsync("/api/v1/users")).Body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(email, Assert.Single(theirUsers).Str("email"));

        Assert.Contains(tenantId, (await Admin.GetJsonAsync("/api/v1/tenants?limit=200")).Body.GetProperty("items").EnumerateArray().Select(t => t.Id()));
        var userCreated = Assert.Single(await IdentityEvents.EventuallyPublishedAsync<UserCreated>(Identity, theirUsers[0].Id()));
        Assert.Equal(tenantId, userCreated.TenantId);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_admin_api_and_its_problems()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(Identity.Address) };
        var document = await anonymous.GetJsonAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, document.Status);
        var paths = document.Body.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/users/{id}", "/api/v1/teams/{id}", "/api/v1/api-clients/{id}" })
        {
            var put = paths.GetProperty(path).GetProperty("put").GetProperty("responses");
            Assert.All(new[] { "200", "403", "412", "428" }, status => Assert.True(put.TryGetProperty(status, out _), $"PUT {path} documents {status}"));
        }
        Assert.True(paths.GetProperty("/api/v1/tenants").TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/connect/authorize", out _));
        Assert.False(paths.TryGetProperty("/login", out _), "the login page is HTML for browsers, not API");
    }
}
