using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Apis;

public sealed record TeamRequest(string? Name, List<Guid>? MemberIds)
{
    public FieldErrors Validate() => new FieldErrors().Required("name", Name, Team.NameMaxLength);

    public List<Guid> DistinctMemberIds() => MemberIds?.Distinct().ToList() ?? [];
}

public sealed record TeamResponse(Guid Id, string Name, IReadOnlyList<Guid> MemberIds, DateTime CreatedAt, DateTime UpdatedAt, int Version)
{
    public static TeamResponse From(Team t) =>
        new(t.Id, t.Name, [.. t.Members.Select(m => m.UserId).Order()], t.CreatedAt, t.UpdatedAt, t.Version);
}

public static class TeamsApi
{
    private const string Resource = "team";

    public static RouteGroupBuilder MapTeamsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/teams").WithTags("Teams");
        api.MapGet("/", ListTeams).RequirePermission(Permissions.Teams, Operation.Read);
        api.MapGet("/{id:guid}", GetTeam).RequirePermission(Permissions.Teams, Operation.Read);
        api.MapPost("/", CreateTeam).RequirePermission(Permissions.Teams, Operation.Create);
        api.MapPut("/{id:guid}", UpdateTeam).RequirePermission(Permissions.Teams, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteTeam).RequirePermission(Permissions.Teams, Operation.Delete);
        return api;
    }

    public static async Task<Results<Ok<CursorPage<TeamResponse>>, ValidationProblem>> ListTeams(
        IdentityDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await db.Teams.AsNoTracking().Include(t => t.Members).ToCursorPageAsync(page, TeamResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<TeamResponse>, ProblemHttpResult>> GetTeam(
        Guid id, IdentityDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var team = await db.Teams.AsNoTracking().Include(t => t.Members).SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (team is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, team.Version);
        return TypedResults.Ok(TeamResponse.From(team));
    }

    public static async Task<Results<Created<TeamResponse>, ValidationProblem, ProblemHttpResult>> CreateTeam(
        TeamRequest request, IdentityDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var memberIds = request.DistinctMemberIds();
        var users = await TeamMemberships.LoadUsersAsync(db, memberIds, cancellationToken);
        if (memberIds.Except(users.Keys).ToList() is { Count: > 0 } unknownUsers)
        {
            return Saves.UnknownIds("memberIds", "user", unknownUsers);
        }

        var team = new Team { Name = request.Name!.Trim() };
        db.Teams.Add(team);
        var changedUsers = TeamMemberships.SetMembers(db, team, memberIds, users);
        db.Stamp();
        db.AddEvent(team.Created());
        changedUsers.ForEach(user => db.AddEvent(user.Updated()));

        if (await Saves.SaveAsync(db, Resource, team.Id, cancellationToken: cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(response, team.Version);
        return TypedResults.Created($"/api/v1/teams/{team.Id}", TeamResponse.From(team));
    }

    public static async Task<Results<Ok<TeamResponse>, ValidationProblem, ProblemHttpResult>> UpdateTeam(
        Guid id, TeamRequest request, IdentityDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var team = await db.Teams.Include(t => t.Members).SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (team is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, team.Version, out _) is { } precondition)
        {
            return precondition;
        }
        var memberIds = request.DistinctMemberIds();
        var users = await TeamMemberships.LoadUsersAsync(db, memberIds.Union(team.Members.Select(m => m.UserId)), cancellationToken);
        if (memberIds.Except(users.Keys).ToList() is { Count: > 0 } unknownUsers)
        {
            return Saves.UnknownIds("memberIds", "user", unknownUsers);
        }

        team.Name = request.Name!.Trim();
        var changedUsers = TeamMemberships.SetMembers(db, team, memberIds, users);
        db.Stamp();
        if (db.Entry(team).State == EntityState.Modified)
        {
            db.AddEvent(team.Updated());
        }
        changedUsers.ForEach(user => db.AddEvent(user.Updated()));

        if (await Saves.SaveAsync(db, Resource, team.Id, cancellationToken: cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(http.Response, team.Version);
        return TypedResults.Ok(TeamResponse.From(team));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteTeam(
        Guid id, IdentityDbContext db, TimeProvider clock, HttpRequest request, CancellationToken cancellationToken)
    {
        var team = await db.Teams.Include(t => t.Members).SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (team is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, team.Version, out _) is { } precondition)
        {
            return precondition;
        }

        var users = await TeamMemberships.LoadUsersAsync(db, team.Members.Select(m => m.UserId), cancellationToken);
        var changedUsers = TeamMemberships.SetMembers(db, team, [], users);
        db.Teams.Remove(team);
        db.Stamp();
        db.AddEvent(team.Deleted(clock.GetUtcNow().UtcDateTime));
        changedUsers.ForEach(user => db.AddEvent(user.Updated()));

        return await Saves.SaveAsync(db, Resource, id, cancellationToken: cancellationToken) is { } conflict ? conflict : TypedResults.NoContent();
    }
}
