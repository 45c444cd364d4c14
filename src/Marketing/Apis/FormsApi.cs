using CrmPlatform.Marketing.Data;
using CrmPlatform.Marketing.Forms;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Apis;

/// <summary>
/// <c>/api/v1/forms</c>: the tenant's web form definitions. Deleting archives: the public side then answers 404, and
/// the submissions keep the form they came from.
/// </summary>
public static class FormsApi
{
    private const string Resource = "form";

    public static RouteGroupBuilder MapFormsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/forms").WithTags("Web forms");
        api.MapGet("/", ListForms).Lists(ListFields).RequirePermission(Permissions.Forms, Operation.Read);
        api.MapGet("/{id:guid}", GetForm).RequirePermission(Permissions.Forms, Operation.Read);
        api.MapPost("/", CreateForm).RequirePermission(Permissions.Forms, Operation.Create);
        api.MapPut("/{id:guid}", UpdateForm).RequirePermission(Permissions.Forms, Operation.Update);
        api.MapDelete("/{id:guid}", ArchiveForm).RequirePermission(Permissions.Forms, Operation.Delete);
        return api;
    }

    private static readonly ListFields<WebForm> ListFields = new ListFields<WebForm>()
        .Filter("archived", f => f.ArchivedAt != null)
        .Filter("campaignId", f => f.CampaignId)
        .Sort("updatedAt", f => f.UpdatedAt)
        .Sort("name", f => f.Name);

    public static async Task<Results<Ok<CursorPage<FormResponse>>, ValidationProblem>> ListForms(
        MarketingDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<WebForm>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.WebForms.AsNoTracking(), FormResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<FormResponse>, ProblemHttpResult>> GetForm(
        Guid id, MarketingDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var form = await db.WebForms.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (form is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, form.Version);
        return TypedResults.Ok(FormResponse.From(form));
    }

    public static async Task<Results<Created<FormResponse>, ValidationProblem>> CreateForm(
        FormRequest request, MarketingDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var form = new WebForm();
        request.ApplyTo(form);
        db.WebForms.Add(form);
        await db.SaveChangesAsync(cancellationToken);
        ETags.Set(response, form.Version);
        return TypedResults.Created($"/api/v1/forms/{form.Id}", FormResponse.From(form));
    }

    public static async Task<Results<Ok<FormResponse>, ValidationProblem, ProblemHttpResult>> UpdateForm(
        Guid id, FormRequest request, MarketingDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var form = await db.WebForms.SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (form is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, form.Version, out _) is { } precondition)
        {
            return precondition;
        }
        request.ApplyTo(form);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, form.Version);
        return TypedResults.Ok(FormResponse.From(form));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> ArchiveForm(
        Guid id, MarketingDbContext db, HttpRequest request, TimeProvider clock, CancellationToken cancellationToken)
    {
        var form = await db.WebForms.SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (form is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, form.Version, out _) is { } precondition)
        {
            return precondition;
        }
        form.ArchivedAt ??= clock.GetUtcNow().UtcDateTime;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        return TypedResults.NoContent();
    }
}
