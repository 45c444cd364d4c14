using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CrmPlatform.ServiceDefaults;

public enum Operation
{
    Read,
    Create,
    Update,
    Delete,
}

/// <summary>
/// Which roles may do what to which resource: the one place a service states its access rules. Each cell becomes an
/// authorization policy named <c>resource:operation</c>; a resource or operation missing from the matrix is allowed to
/// no one, so forgetting a rule denies rather than allows.
/// <para>
/// API clients can be given scopes instead of roles: a token whose <c>scope</c> claim holds permission scopes
/// (<c>people:read</c>, <c>people:*</c>) is authorized by those scopes alone, so a partner system gets exactly the
/// access it was granted, whatever role it might also carry.
/// </para>
/// </summary>
public sealed class PermissionMatrix
{
    private readonly Dictionary<(string Resource, Operation Operation), string[]> _rules = [];

    public PermissionMatrix Allow(string resource, Operation operation, params string[] roles)
    {
        _rules[(resource, operation)] = roles;
        return this;
    }

    public PermissionMatrix Allow(string resource, Operation[] operations, params string[] roles)
    {
        foreach (var operation in operations)
        {
            Allow(resource, operation, roles);
        }
        return this;
    }

    public IReadOnlyCollection<string> RolesFor(string resource, Operation operation) =>
        _rules.TryGetValue((resource, operation), out var roles) ? roles : [];

    public IEnumerable<(string Resource, Operation Operation)> Cells => _rules.Keys;

    public static string PolicyName(string resource, Operation operation) => $"{resource}:{operation}".ToLowerInvariant();

    /// <summary>Whether a token with these roles and scopes may perform the operation.</summary>
    public bool Allows(string resource, Operation operation, IEnumerable<string> roles, IEnumerable<string> scopes)
    {
        var permissionScopes = scopes.Where(scope => scope.Contains(':')).ToList();
        return permissionScopes.Count > 0
            ? permissionScopes.Contains(PolicyName(resource, operation)) || permissionScopes.Contains($"{resource}:*")
            : roles.Any(RolesFor(resource, operation).Contains);
    }
}

public static class PermissionExtensions
{
    public static TBuilder AddPermissions<TBuilder>(this TBuilder builder, PermissionMatrix matrix) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(matrix);
        var roleClaim = builder.Configuration[$"{AuthenticationSettings.Section}:RoleClaim"] ?? new AuthenticationSettings().RoleClaim;
        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var (resource, operation) in matrix.Cells)
        {
            authorization.AddPolicy(PermissionMatrix.PolicyName(resource, operation), policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(context => matrix.Allows(resource, operation,
                    context.User.FindAll(roleClaim).Select(claim => claim.Value),
                    context.User.FindAll("scope").SelectMany(claim => claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)))));
        }
        return builder;
    }

    /// <summary>
    /// This endpoint performs <paramref name="operation"/> on <paramref name="resource"/>: it requires that permission,
    /// and its OpenAPI description lists the problems that kind of operation can answer.
    /// </summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder endpoint, string resource, Operation operation)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.RequireAuthorization(PermissionMatrix.PolicyName(resource, operation)).ProducesProblemsOf(operation);
}
