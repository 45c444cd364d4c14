using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Sla.Calendars;

/// <summary>
/// <c>/api/v1/business-calendars</c>: when support works. Admins write, agents and read-only users read. A tenant's
/// first calendar is its default; a calendar a policy uses cannot be deleted (409), nor the default while others exist.
/// Changing a calendar moves the due times of running clocks the next time they change (pause, resume, priority).
/// </summary>
public static class BusinessCalendarsApi
{
    private const string Resource = "business calendar";
    private const string DefaultLock = "business-calendar";

    public static RouteGroupBuilder MapBusinessCalendarsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/business-calendars").WithTags("Business calendars");
        api.MapGet("/", List).Lists(ListFields).RequirePermission(Permissions.BusinessCalendars, Operation.Read);
        api.MapGet("/{id:guid}", Get).RequirePermission(Permissions.BusinessCalendars, Operation.Read);
        api.MapPost("/", Create).RequirePermission(Permissions.BusinessCalendars, Operation.Create);
        api.MapPut("/{id:guid}", Update).RequirePermission(Permissions.BusinessCalendars, Operation.Update);
        api.MapDelete("/{id:guid}", Delete).RequirePermission(Permissions.BusinessCalendars, Operation.Delete);
        return api;
    }

    private static readonly ListFields<BusinessCalendar> ListFields = new ListFields<BusinessCalendar>()
        .Filter("name", c => c.Name)
        .Filter("isDefault", c => c.IsDefault)
        .Filter("timeZone", c => c.TimeZone)
        .Sort("name", c => c.Name)
        .Sort("updatedAt", c => c.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<BusinessCalendarResponse>>, ValidationProblem>> List(
        ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken) =>
        ListQuery<BusinessCalendar>.TryParse(request.Query, ListFields, out var list, out var errors)
            ? TypedResults.Ok(await list.ToPageAsync(db.BusinessCalendars.AsNoTracking(), BusinessCalendarResponse.From, cancellationToken))
            : TypedResults.ValidationProblem(errors);

    public static async Task<Results<Ok<BusinessCalendarResponse>, ProblemHttpResult>> Get(
        Guid id, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var calendar = await db.BusinessCalendars.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (calendar is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, calendar.Version);
        return TypedResults.Ok(BusinessCalendarResponse.From(calendar));
    }

    public static async Task<Results<Created<BusinessCalendarResponse>, ValidationProblem, ProblemHttpResult>> Create(
        BusinessCalendarRequest request, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var calendar = request.Read(out var malformed, out var invalid);
        if (!malformed.IsValid)
        {
            return TypedResults.ValidationProblem(malformed);
        }
        if (calendar is null)
        {
            return SlaSaves.Unprocessable(invalid);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await SlaSaves.LockDefaultAsync(db, DefaultLock, cancellationToken);
        var currentDefault = await db.BusinessCalendars.SingleOrDefaultAsync(c => c.IsDefault, cancellationToken);
        calendar.IsDefault |= currentDefault is null;
        if (calendar.IsDefault && currentDefault is not null)
        {
            currentDefault.IsDefault = false;
            if (await SlaSaves.SaveAsync(db, Resource, currentDefault.Id, currentDefault.Name, cancellationToken) is { } taken)
            {
                return taken;
            }
        }
        db.BusinessCalendars.Add(calendar);
        if (await SlaSaves.SaveAsync(db, Resource, calendar.Id, calendar.Name, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(response, calendar.Version);
        return TypedResults.Created($"/api/v1/business-calendars/{calendar.Id}", BusinessCalendarResponse.From(calendar));
    }

    public static async Task<Results<Ok<BusinessCalendarResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, BusinessCalendarRequest request, ServiceDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var changed = request.Read(out var malformed, out var invalid);
        if (!malformed.IsValid)
        {
            return TypedResults.ValidationProblem(malformed);
        }
        if (changed is null)
        {
            return SlaSaves.Unprocessable(invalid);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await SlaSaves.LockDefaultAsync(db, DefaultLock, cancellationToken);
        var calendar = await db.BusinessCalendars.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (calendar is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, calendar.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (calendar.IsDefault && !changed.IsDefault)
        {
            return ApiProblems.Conflict($"'{calendar.Name}' is the default calendar; make another calendar the default instead.");
        }
        if (changed.IsDefault && !calendar.IsDefault
            && await db.BusinessCalendars.SingleOrDefaultAsync(c => c.IsDefault, cancellationToken) is { } currentDefault)
        {
            currentDefault.IsDefault = false;
            if (await SlaSaves.SaveAsync(db, Resource, currentDefault.Id, currentDefault.Name, cancellationToken) is { } taken)
            {
                return taken;
            }
        }
        calendar.Name = changed.Name;
        calendar.TimeZone = changed.TimeZone;
        calendar.IsDefault = changed.IsDefault;
        calendar.WorkingHours = changed.WorkingHours;
        calendar.Holidays = changed.Holidays;
        if (await SlaSaves.SaveAsync(db, Resource, calendar.Id, calendar.Name, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(http.Response, calendar.Version);
        return TypedResults.Ok(BusinessCalendarResponse.From(calendar));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await SlaSaves.LockDefaultAsync(db, DefaultLock, cancellationToken);
        var calendar = await db.BusinessCalendars.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (calendar is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, calendar.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (calendar.IsDefault && await db.BusinessCalendars.AnyAsync(c => c.Id != id, cancellationToken))
        {
            return ApiProblems.Conflict($"'{calendar.Name}' is the default calendar; make another calendar the default before deleting it.");
        }
        var policies = await db.SlaPolicies.CountAsync(p => p.CalendarId == id, cancellationToken);
        if (policies > 0)
        {
            return ApiProblems.Conflict($"{policies} SLA policies use '{calendar.Name}'; give them another calendar first.",
                new Dictionary<string, object?> { ["policies"] = policies });
        }
        db.BusinessCalendars.Remove(calendar);
        if (await SlaSaves.SaveAsync(db, Resource, calendar.Id, calendar.Name, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
