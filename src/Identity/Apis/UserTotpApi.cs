using System.Security.Claims;
using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Login;
using CrmPlatform.Identity.Model;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Apis;

public sealed record TotpSetupResponse(string Secret, string OtpauthUri);

public sealed record TotpConfirmRequest(string? Code);

/// <summary>
/// Two-factor sign-in for a user, set up by the user themself or an admin: a new secret first, which only takes effect
/// once a code from it is confirmed, so nobody is locked out by a secret that never reached their authenticator.
/// </summary>
public static class UserTotpApi
{
    public const string Issuer = "CRM Platform";
    private const string Resource = "user";

    public static RouteGroupBuilder MapUserTotpApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/users/{id:guid}/totp").WithTags("Users")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/", StartSetup).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/confirm", Confirm).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/", Disable);
        return api;
    }

    public static async Task<Results<Ok<TotpSetupResponse>, ProblemHttpResult>> StartSetup(
        Guid id, ClaimsPrincipal caller, IdentityDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken) is not { } user)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (!MayManage(caller, user))
        {
            return Forbidden();
        }
        if (user.TotpEnabled)
        {
            return ApiProblems.Conflict("Two-factor sign-in is already on; turn it off first to set up a new authenticator.");
        }

        user.TotpSecret = Totp.NewSecret();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new TotpSetupResponse(user.TotpSecret, Totp.SetupUri(Issuer, user.Email, user.TotpSecret)));
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Confirm(
        Guid id, TotpConfirmRequest request, ClaimsPrincipal caller, IdentityDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken) is not { } user)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (!MayManage(caller, user))
        {
            return Forbidden();
        }
        if (user.TotpEnabled || user.TotpSecret is null)
        {
            return ApiProblems.Conflict("There is no two-factor setup waiting for confirmation; start one first.");
        }
        if (Totp.MatchingStep(user.TotpSecret, request.Code?.Trim(), clock.GetUtcNow().UtcDateTime) is not { } step)
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("code", "code is not the current code of this secret."));
        }

        user.TotpEnabled = true;
        user.TotpLastStep = step;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>How someone who lost their authenticator gets back in (an admin turns it off for them).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Disable(
        Guid id, ClaimsPrincipal caller, IdentityDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken) is not { } user)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (!MayManage(caller, user))
        {
            return Forbidden();
        }
        user.TotpEnabled = false;
        user.TotpSecret = null;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static bool MayManage(ClaimsPrincipal caller, User user) =>
        caller.IsInRole(Roles.Admin) || caller.FindFirstValue("sub") == user.Id.ToString();

    private static ProblemHttpResult Forbidden() =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
            detail: "Only the user themself or an admin can change their two-factor sign-in.");
}
