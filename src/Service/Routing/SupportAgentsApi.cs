using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Routing;

public sealed record AgentProfileRequest(
    IReadOnlyList<string>? Languages = null, IReadOnlyList<string>? Products = null, IReadOnlyList<string>? Topics = null, string? Availability = null)
{
    public FieldErrors Validate() => new FieldErrors()
        .When(Availability is not null && !Availabilities.All.Contains(Availability), "availability", $"availability must be one of {string.Join(", ", Availabilities.All)}.")
        .When(new[] { Languages, Products, Topics }.Any(list => list?.Count > RoutingRule.MaxValues
            || list?.Any(v => string.IsNullOrWhiteSpace(v) || v.Length > 100) == true), "skills", $"At most {RoutingRule.MaxValues} non-empty skills of at most 100 characters each.");
}

public sealed record AvailabilityRequest(string? Availability)
{
    public FieldErrors Validate() => new FieldErrors()
        .When(Availability is null || !Availabilities.All.Contains(Availability), "availability", $"availability must be one of {string.Join(", ", Availabilities.All)}.");
}

public sealed record AgentProfileResponse(
    string UserId, IReadOnlyList<string> Languages, IReadOnlyList<string> Products, IReadOnlyList<string> Topics, string Availability,
    DateTime? AvailabilityChangedAt, int Version)
{
    public static AgentProfileResponse From(AgentProfile a) => new(a.UserId, a.Languages, a.Products, a.Topics, a.Availability, a.AvailabilityChangedAt, a.Version);

    public static AgentProfileResponse Default(string userId) => new(userId, [], [], [], Availabilities.Available, null, 0);
}

/// <summary>
/// <c>/api/v1/support-agents</c>: agents' skills and availability, which routing reads. Admins set skills
/// (<c>PUT …/{userId}</c>); every agent says whether they take tickets now (<c>PUT …/me/availability</c>).
/// </summary>
public static class SupportAgentsApi
{
    public static RouteGroupBuilder MapSupportAgentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/support-agents").WithTags("Support groups");
        api.MapGet("/", List).Lists(ListFields).RequirePermission(Permissions.SupportGroups, Operation.Read);
        api.MapPut("/me/availability", SetOwnAvailability).RequirePermission(Permissions.Tickets, Operation.Update);
        api.MapGet("/{userId}", Get).RequirePermission(Permissions.SupportGroups, Operation.Read);
        api.MapPut("/{userId}", Put).RequirePermission(Permissions.SupportGroups, Operation.Update);
        return api;
    }

    private static readonly ListFields<AgentProfile> ListFields = new ListFields<AgentProfile>()
        .Filter("availability", a => a.Availability)
        .Filter("language", value => a => a.Languages.Contains(value.ToLowerInvariant()))
        .Filter("product", value => a => a.Products.Contains(value.ToLowerInvariant()))
        .Filter("topic", value => a => a.Topics.Contains(value.ToLowerInvariant()))
        .Sort("userId", a => a.UserId);

    public static async Task<Results<Ok<CursorPage<AgentProfileResponse>>, ValidationProblem>> List(
        ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<AgentProfile>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.AgentProfiles.AsNoTracking(), AgentProfileResponse.From, cancellationToken));
    }

    /// <summary>An agent nobody has described yet has no skills and is available.</summary>
    public static async Task<Ok<AgentProfileResponse>> Get(string userId, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var profile = await db.AgentProfiles.AsNoTracking().SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        ETags.Set(response, profile?.Version ?? 0);
        return TypedResults.Ok(profile is null ? AgentProfileResponse.Default(userId) : AgentProfileResponse.From(profile));
    }

    /// <summary>Sets an agent's skills and availability (If-Match: the profile's ETag, <c>"0"</c> or <c>*</c> for a new one).</summary>
    public static async Task<Results<Ok<AgentProfileResponse>, ValidationProblem, ProblemHttpResult>> Put(
        string userId, AgentProfileRequest request, ServiceDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate().When(userId.Length > AgentProfile.UserIdMaxLength, "userId", "userId is too long.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var profile = await db.AgentProfiles.SingleOrDefaultAsync(a => a.UserId == userId, cancellationToken);
        if (ETags.CheckIfMatch(http.Request, profile?.Version ?? 0, out _) is { } precondition)
        {
            return precondition;
        }
        if (profile is null)
        {
            profile = new AgentProfile { UserId = userId };
            db.AgentProfiles.Add(profile);
        }
        profile.Languages = Skillset(request.Languages, language: true);
        profile.Products = Skillset(request.Products);
        profile.Topics = Skillset(request.Topics);
        SetAvailability(profile, request.Availability ?? profile.Availability, clock);
        return await SaveAsync(db, profile, http.Response, cancellationToken);
    }

    /// <summary>The caller's own availability: away agents get no new tickets by routing.</summary>
    public static async Task<Results<Ok<AgentProfileResponse>, ValidationProblem, ProblemHttpResult>> SetOwnAvailability(
        AvailabilityRequest request, ServiceDbContext db, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var profile = await db.AgentProfiles.SingleOrDefaultAsync(a => a.UserId == db.Actor, cancellationToken);
        if (profile is null)
        {
            profile = new AgentProfile { UserId = db.Actor };
            db.AgentProfiles.Add(profile);
        }
        SetAvailability(profile, request.Availability!, clock);
        return await SaveAsync(db, profile, response, cancellationToken);
    }

    private static void SetAvailability(AgentProfile profile, string availability, TimeProvider clock)
    {
        if (profile.Availability != availability || profile.AvailabilityChangedAt is null)
        {
            profile.Availability = availability;
            profile.AvailabilityChangedAt = clock.GetUtcNow().UtcDateTime;
        }
    }

    private static async Task<Results<Ok<AgentProfileResponse>, ValidationProblem, ProblemHttpResult>> SaveAsync(
        ServiceDbContext db, AgentProfile profile, HttpResponse response, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent first write of the same agent's profile, or a stale version.
            return ApiProblems.ConcurrentUpdate("agent profile", profile.Id);
        }
        ETags.Set(response, profile.Version);
        return TypedResults.Ok(AgentProfileResponse.From(profile));
    }

    private static List<string> Skillset(IReadOnlyList<string>? values, bool language = false) =>
        [.. (values ?? []).Select(v => language ? RoutingRule.LanguageOf(v.Trim())! : v.Trim().ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal)];
}
