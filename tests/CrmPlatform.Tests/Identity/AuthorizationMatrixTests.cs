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
        // Pipelines: whoever reads opportunities reads them; admins and sales managers define them.
        ["pipelines"] = new()
        {
            [Roles.Admin] = "rcud", [Roles.SalesManager] = "rcud", [Roles.SalesRep] = "r", [Roles.Marketing] = "r",
            [Roles.ServiceAgent] = "", [Roles.ReadOnly] = "r", ["none"] = "",
        },
        // Consents are append-only: read and record (create), nothing else.
        ["consents"] = new()
        {
            [Roles.Admin] = "rc", [Roles.SalesManager] = "rc", [Roles.SalesRep] = "rc", [Roles.Marketing] = "rc",
            [Roles.ServiceAgent] = "rc", [Roles.ReadOnly] = "r", ["none"] = "",
        },
        // Marketing's web forms: marketers and admins build them, read-only users look.
        ["forms"] = Roles.All.Append("none").ToDictionary(role => role, role => role switch
        {
            Roles.Admin or Roles.Marketing => "rcud",
            Roles.ReadOnly => "r",
            _ => "",
        }),
        // Marketing's can-contact answer.
        ["contactability"] = Roles.All.Append("none").ToDictionary(role => role, role => role == "none" ? "" : "r"),
        // Everyone reads the definitions (forms are built from them); only admins change them.
        ["custom-fields"] = Roles.All.Append("none").ToDictionary(role => role, role => role switch
        {
            Roles.Admin => "rcud",
            "none" => "",
            _ => "r",
        }),
        ["users"] = AdminsOnly("rcud"),
        ["teams"] = AdminsOnly("rcud"),
        ["api-clients"] = AdminsOnly("rcud"),
        ["audit"] = AdminsOnly("r"),
    };

    private static Dictionary<string, string> AdminsOnly(string operations) =>
        Roles.All.Append("none").ToDictionary(role => role, role => role == Roles.Admin ? operations : "");

    public static TheoryData<string> AllRoles() => [.. Roles.All, "none"];

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task Each_role_gets_exactly_its_permissions_on_every_endpoint(string role)
    {
        var token = await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, role == "none" ? ["no-such-role"] : [role]);
        await AssertPermissionsAsync(token, role, resource => Expected[resource][role]);
    }

    /// <summary>An API client given scopes is authorized by them alone, even when it also holds a role.</summary>
    [Theory]
    [InlineData("opportunities:read", "", "", "", "r")]
    [InlineData("people:*", "", "rcud", "", "")]
    [InlineData("people:read organizations:create", "", "r", "c", "")]
    [InlineData("people:read", Roles.Admin, "r", "", "")]
    public async Task Each_scope_grants_exactly_its_operations(string scopes, string role, string people, string organizations, string opportunities)
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var created = await admin.PostJsonAsync("/api/v1/api-clients", new
        {
            name = "Partner",
            scopes = scopes.Split(' '),
            roles = role.Length > 0 ? new[] { role } : [],
        });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var token = await Platform.Identity.TokenAsync(created.Body.Str("clientId"), created.Body.Str("clientSecret"));

        var expected = new Dictionary<string, string> { ["people"] = people, ["organizations"] = organizations, ["opportunities"] = opportunities };
        await AssertPermissionsAsync(token, $"scopes '{scopes}'", resource => expected.GetValueOrDefault(resource, ""));
    }

    private async Task AssertPermissionsAsync(string token, string who, Func<string, string> allowedOperations)
    {
        var contacts = Platform.ClientFor(Platform.Contacts, token);
        var sales = Platform.ClientFor(Platform.Sales, token);
        var identity = Platform.ClientFor(Platform.Identity.Factory, token);
        var forms = Platform.ClientFor(Platform.Marketing, token);
        var validForm = new { name = "Probe", fields = new[] { new { key = "email", label = "Email", mapsTo = "email" } } };
        var unknown = Guid.CreateVersion7();
        var validOpportunity = new { name = "Deal", amount = 1, currency = "EUR", customerId = Guid.CreateVersion7() };
        var validPipeline = new
        {
            name = "Probe",
            stages = new[] { new { key = "open", name = "Open", probability = 10, kind = "open" }, new { key = "won", name = "Won", probability = 100, kind = "won" }, new { key = "lost", name = "Lost", probability = 0, kind = "lost" } },
        };
        var validUser = new { email = $"{Guid.NewGuid():N}@users.test", displayName = "Someone", roles = new[] { Roles.ReadOnly } };

        var failures = new List<string>();
        foreach (var (resource, client, validBody) in new (string, HttpClient, object)[]
                 {
                     ("people", contacts, Api.NewPerson()), ("organizations", contacts, new { name = "Acme" }), ("opportunities", sales, validOpportunity),
                     ("pipelines", sales, validPipeline), ("forms", forms, validForm),
                     ("custom-fields", contacts, new { entity = "person", key = "probe", label = "Probe", type = "text" }),
                     ("users", identity, validUser), ("teams", identity, new { name = "Team" }), ("api-clients", identity, new { name = "Client" }),
                 })
        {
            var allowed = allowedOperations(resource);
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
                    failures.Add($"{who} {probe.Method} {probe.Url}: expected {(int)expected}, got {(int)answer.Status}");
                }
                else if (expected == HttpStatusCode.Forbidden)
                {
                    answer.AssertProblem(HttpStatusCode.Forbidden);
                }
            }
        }
        // A person's consents (Contacts) and whether they may be contacted (Marketing): their own URLs.
        var marketing = Platform.ClientFor(Platform.Marketing, token);
        foreach (var (resource, client, operation, method, url, body, whenAllowed) in new (string, HttpClient, char, HttpMethod, string, object?, HttpStatusCode)[]
                 {
                     ("consents", contacts, 'r', HttpMethod.Get, $"/api/v1/people/{unknown}/consents", null, HttpStatusCode.NotFound),
                     ("consents", contacts, 'r', HttpMethod.Get, $"/api/v1/people/{unknown}/consents/history", null, HttpStatusCode.NotFound),
                     ("consents", contacts, 'r', HttpMethod.Get, $"/api/v1/people/{unknown}/consents/history/{unknown}", null, HttpStatusCode.NotFound),
                     ("consents", contacts, 'c', HttpMethod.Post, $"/api/v1/people/{unknown}/consents", new { }, HttpStatusCode.BadRequest),
                     ("contactability", marketing, 'r', HttpMethod.Get,
                         $"/api/v1/marketing/contacts/{unknown}/can-contact?purpose=newsletter&channel=email", null, HttpStatusCode.OK),
                 })
        {
            var expected = allowedOperations(resource).Contains(operation) ? whenAllowed : HttpStatusCode.Forbidden;
            var answer = await client.SendJsonAsync(method, url, body);
            if (answer.Status != expected)
            {
                failures.Add($"{who} {method} {url}: expected {(int)expected}, got {(int)answer.Status}");
            }
        }
        // Each service's audit log: reading it is the only operation.
        foreach (var (service, client) in new[] { ("contacts", contacts), ("sales", sales), ("identity", identity) })
        {
            var expected = allowedOperations("audit").Contains('r') ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
            var answer = await client.GetJsonAsync("/api/v1/audit");
            if (answer.Status != expected)
            {
                failures.Add($"{who} GET {service} /api/v1/audit: expected {(int)expected}, got {(int)answer.Status}");
            }
        }
        Assert.Empty(failures);
    }
}
