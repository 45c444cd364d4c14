using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Identity;

/// <summary>
/// Every role against every endpoint, with the exact status expected. The expected table is written out here, apart
/// from the services' own matrices, so a wrong rule in a service makes this fail.
/// </summary>
public sealed class AuthorizationMatrixTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    // r = read, c = create, u = update, d = delete.
    private static readonly Dictionary<string, Dictionary<string, string>> Expected = new()
    {
        ["people"] = new()
        {
            [Roles.Admin] = "rcud", [Roles.SalesManager] = "rcud", [Roles.SalesRep] = "rcu", [Roles.Marketing] = "rcu",
            [Roles.ServiceAgent] = "rcu", [Roles.ReadOnly] = "r", ["none"] = "",
        },
        ["organizations"] = new()
        {
            [Roles.Admin] = "rcud", [Roles.SalesManager] = "rcud", [Roles.SalesRep] = "rcu", [Roles.Marketing] = "rcu",
            [Roles.ServiceAgent] = "rcu", [Roles.ReadOnly] = "r", ["none"] = "",
        },
        ["opportunities"] = new()
        {
            [Roles.Admin] = "rcud", [Roles.SalesManager] = "rcud", [Roles.SalesRep] = "rcu", [Roles.Marketing] = "r",
            [Roles.ServiceAgent] = "", [Roles.ReadOnly] = "r", ["none"] = "",
        },
    };

    public static TheoryData<string> AllRoles() => [.. Roles.All, "none"];

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task Each_role_gets_exactly_its_permissions_on_every_endpoint(string role)
    {
        var token = await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, role == "none" ? ["no-such-role"] : [role]);
        var contacts = Platform.ClientFor(Platform.Contacts, token);
        var sales = Platform.ClientFor(Platform.Sales, token);
        var unknown = Guid.CreateVersion7();
        var validPerson = Api.NewPerson();
        var validOpportunity = new { name = "Deal", amount = 1, currency = "EUR", customerId = Guid.CreateVersion7() };

        var failures = new List<string>();
        foreach (var (resource, client, validBody) in new (string, HttpClient, object)[]
                 {
                     ("people", contacts, validPerson), ("organizations", contacts, new { name = "Acme" }), ("opportunities", sales, validOpportunity),
                 })
        {
            var allowed = Expected[resource][role];
            // When allowed, each request is built to end in a known status without changing anything.
            var probes = new (char Operation, HttpMethod Method, string Url, object? Body, HttpStatusCode WhenAllowed)[]
            {
                ('r', HttpMethod.Get, $"/api/v1/{resource}", null, HttpStatusCode.OK),
                ('r', HttpMethod.Get, $"/api/v1/{resource}/{unknown}", null, HttpStatusCode.NotFound),
                ('c', HttpMethod.Post, $"/api/v1/{resource}", new { }, HttpStatusCode.BadRequest),
                ('u', HttpMethod.Put, $"/api/v1/{resource}/{unknown}", validBody, HttpStatusCode.NotFound),
                ('d', HttpMethod.Delete, $"/api/v1/{resource}/{unknown}", null, HttpStatusCode.NotFound),
            };
            foreach (var probe in probes)
            {
                var expected = allowed.Contains(probe.Operation) ? probe.WhenAllowed : HttpStatusCode.Forbidden;
                var answer = await client.SendJsonAsync(probe.Method, probe.Url, probe.Body, ifMatch: Api.AnyVersion);
                if (answer.Status != expected)
                {
                    failures.Add($"{role} {probe.Method} {probe.Url}: expected {(int)expected}, got {(int)answer.Status}");
                }
                else if (expected == HttpStatusCode.Forbidden)
                {
                    answer.AssertProblem(HttpStatusCode.Forbidden);
                }
            }
        }
        Assert.Empty(failures);
    }
}
