using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Apis;

/// <summary>
/// A user as an admin sets it. PUT replaces everything but the password, which is only changed when given (it is
/// never shown, so a client could not send it back).
/// </summary>
public sealed record UserRequest(string? Email, string? DisplayName, string? Password, List<string>? Roles, List<Guid>? TeamIds, bool? Disabled)
{
    public const int PasswordMinLength = 8;
    public const int PasswordMaxLength = 128;

    public FieldErrors Validate(bool creating) => new FieldErrors()
        .Required("email", Email, User.EmailMaxLength)
        .Email("email", Email)
        .Required("displayName", DisplayName, User.DisplayNameMaxLength)
        .When(creating && string.IsNullOrEmpty(Password), "password", "password is required.")
        .When(Password is { Length: < PasswordMinLength or > PasswordMaxLength }, "password",
            $"password must be {PasswordMinLength} to {PasswordMaxLength} characters.")
        .When(Roles?.Except(ServiceDefaults.Roles.All).Any() == true, "roles", $"roles must be among: {string.Join(", ", ServiceDefaults.Roles.All)}.");

    public List<Guid> DistinctTeamIds() => TeamIds?.Distinct().ToList() ?? [];

    public void ApplyTo(User user, IPasswordHasher<User> hasher)
    {
        user.SetEmail(Email!);
        user.DisplayName = DisplayName!.Trim();
        user.Roles = Roles?.Distinct().ToList() ?? [];
        user.Disabled = Disabled ?? false;
        if (!string.IsNullOrEmpty(Password))
        {
            user.PasswordHash = hasher.HashPassword(user, Password);
            // A new password set by an admin is how a locked-out person gets back in.
            user.FailedLogins = 0;
            user.LockedUntil = null;
        }
    }
}

public sealed record UserResponse(
    Guid Id, string Email, string DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<Guid> TeamIds, bool Disabled,
    bool TotpEnabled, DateTime? LockedUntil, DateTime CreatedAt, DateTime UpdatedAt, int Version)
{
    public static UserResponse From(User u) =>
        new(u.Id, u.Email, u.DisplayName, u.Roles, [.. u.Memberships.Select(m => m.TeamId).Order()], u.Disabled,
            u.TotpEnabled, u.LockedUntil, u.CreatedAt, u.UpdatedAt, u.Version);
}

public static class UsersApi
{
    private const string Resource = "user";

    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/users").WithTags("Users");
        api.MapGet("/", ListUsers).RequirePermission(Permissions.Users, Operation.Read);
        api.MapGet("/{id:guid}", GetUser).RequirePermission(Permissions.Users, Operation.Read);
        api.MapPost("/", CreateUser).RequirePermission(Permissions.Users, Operation.Create);
        api.MapPut("/{id:guid}", UpdateUser).RequirePermission(Permissions.Users, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteUser).RequirePermission(Permissions.Users, Operation.Delete);
        return api;
    }

    public static async Task<Results<Ok<CursorPage<UserResponse>>, ValidationProblem>> ListUsers(
        IdentityDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await db.Users.AsNoTracking().Include(u => u.Memberships).ToCursorPageAsync(page, UserResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetUser(
        Guid id, IdentityDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Include(u => u.Memberships).SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, user.Version);
        return TypedResults.Ok(UserResponse.From(user));
    }

    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> CreateUser(
        UserRequest request, IdentityDbContext db, IPasswordHasher<User> hasher, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate(creating: true);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await FindDuplicateAsync(db, request.Email!, exceptId: null, cancellationToken) is { } duplicate)
        {
            return duplicate;
        }
        var teamIds = request.DistinctTeamIds();
        var teams = await TeamMemberships.LoadTeamsAsync(db, teamIds, cancellationToken);
        if (teamIds.Except(teams.Keys).ToList() is { Count: > 0 } unknownTeams)
        {
            return Saves.UnknownIds("teamIds", "team", unknownTeams);
        }

        var user = new User();
        request.ApplyTo(user, hasher);
        db.Users.Add(user);
        var changedTeams = TeamMemberships.SetTeams(db, user, teamIds, teams);
        db.Stamp();
        db.AddEvent(user.Created());
        changedTeams.ForEach(team => db.AddEvent(team.Updated()));

        if (await Saves.SaveAsync(db, Resource, user.Id, EmailInUse(request.Email!), cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(response, user.Version);
        return TypedResults.Created($"/api/v1/users/{user.Id}", UserResponse.From(user));
    }

    public static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> UpdateUser(
        Guid id, UserRequest request, IdentityDbContext db, IPasswordHasher<User> hasher, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate(creating: false);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var user = await db.Users.Include(u => u.Memberships).SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, user.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await FindDuplicateAsync(db, request.Email!, exceptId: id, cancellationToken) is { } duplicate)
        {
            return duplicate;
        }
        var teamIds = request.DistinctTeamIds();
        var teams = await TeamMemberships.LoadTeamsAsync(db, teamIds.Union(user.Memberships.Select(m => m.TeamId)), cancellationToken);
        if (teamIds.Except(teams.Keys).ToList() is { Count: > 0 } unknownTeams)
        {
            return Saves.UnknownIds("teamIds", "team", unknownTeams);
        }

        request.ApplyTo(user, hasher);
        var changedTeams = TeamMemberships.SetTeams(db, user, teamIds, teams);
        db.Stamp();
        if (db.Entry(user).State == EntityState.Modified)
        {
            db.AddEvent(user.Updated());
        }
        changedTeams.ForEach(team => db.AddEvent(team.Updated()));

        if (await Saves.SaveAsync(db, Resource, user.Id, EmailInUse(request.Email!), cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(http.Response, user.Version);
        return TypedResults.Ok(UserResponse.From(user));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteUser(
        Guid id, IdentityDbContext db, TimeProvider clock, HttpRequest request, CancellationToken cancellationToken)
    {
        var user = await db.Users.Include(u => u.Memberships).SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, user.Version, out _) is { } precondition)
        {
            return precondition;
        }

        var teams = await TeamMemberships.LoadTeamsAsync(db, user.Memberships.Select(m => m.TeamId), cancellationToken);
        var changedTeams = TeamMemberships.SetTeams(db, user, [], teams);
        db.Users.Remove(user);
        db.Stamp();
        db.AddEvent(user.Deleted(clock.GetUtcNow().UtcDateTime));
        changedTeams.ForEach(team => db.AddEvent(team.Updated()));

        return await Saves.SaveAsync(db, Resource, id, cancellationToken: cancellationToken) is { } conflict ? conflict : TypedResults.NoContent();
    }

    /// <summary>
    /// Emails are unique across tenants (login needs no tenant), so this check looks past the tenant filter. It says
    /// only that the address is taken, not by whom: the other holder may belong to another tenant.
    /// </summary>
    internal static async Task<ProblemHttpResult?> FindDuplicateAsync(IdentityDbContext db, string email, Guid? exceptId, CancellationToken cancellationToken)
    {
        var normalized = User.NormalizeEmail(email);
        var taken = await db.Users.IgnoreQueryFilters().AnyAsync(u => u.NormalizedEmail == normalized && u.Id != exceptId, cancellationToken);
        return taken ? ApiProblems.Conflict(EmailInUse(email)) : null;
    }

    private static string EmailInUse(string email) => $"The email address {email.Trim()} is already in use.";
}
