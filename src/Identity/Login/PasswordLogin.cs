using CrmPlatform.ServiceDefaults;
using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using CrmPlatform.Identity.Tokens;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Login;

/// <summary>
/// Checks an email, password and (when enabled) one-time code, with lockout after repeated failures. Every refusal
/// looks the same, so the login form does not tell which emails exist, which accounts are locked or which factor was
/// wrong. People sign in by email alone, so the lookup crosses tenants.
/// </summary>
public sealed class PasswordLogin(IdentityDbContext db, IPasswordHasher<User> hasher, TimeProvider clock)
{
    // Checking a password against this when the email is unknown makes such attempts as slow as real ones.
    private static readonly string UnknownUserHash = new PasswordHasher<User>().HashPassword(new User(), OpaqueToken.New());

    public async Task<User?> VerifyAsync(string? email, string? password, string? code, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return null;
        }
        var normalized = User.NormalizeEmail(email);
        var user = await db.Users.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null)
        {
            hasher.VerifyHashedPassword(new User(), UnknownUserHash, password);
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var passwordCheck = hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (user.Disabled || user.LockedUntil > now)
        {
            return null;
        }
        if (passwordCheck == PasswordVerificationResult.Failed || (user.TotpEnabled && !await AcceptCodeAsync(user, code, now, cancellationToken)))
        {
            await RecordFailureAsync(user, now, cancellationToken);
            return null;
        }

        var rehashed = passwordCheck == PasswordVerificationResult.SuccessRehashNeeded ? hasher.HashPassword(user, password) : user.PasswordHash;
        await Bookkeeping(user).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.FailedLogins, 0)
            .SetProperty(u => u.LockedUntil, (DateTime?)null)
            .SetProperty(u => u.PasswordHash, rehashed), cancellationToken);
        return user;
    }

    /// <summary>The fifth failure in a row locks the account and starts the count again for after the lockout.</summary>
    private Task RecordFailureAsync(User user, DateTime now, CancellationToken cancellationToken)
    {
        var lockedUntil = now + User.LockoutDuration;
        // Both conditions read the count before this update (SQL evaluates SET against the old row), atomically.
        return Bookkeeping(user).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.LockedUntil, u => u.FailedLogins + 1 >= User.MaxFailedLogins ? lockedUntil : u.LockedUntil)
            .SetProperty(u => u.FailedLogins, u => u.FailedLogins + 1 >= User.MaxFailedLogins ? 0 : u.FailedLogins + 1), cancellationToken);
    }

    /// <summary>A code is good once: the step it belongs to must be later than the last one accepted.</summary>
    private async Task<bool> AcceptCodeAsync(User user, string? code, DateTime now, CancellationToken cancellationToken)
    {
        if (user.TotpSecret is null || Totp.MatchingStep(user.TotpSecret, code?.Trim(), now) is not { } step)
        {
            return false;
        }
        return await Bookkeeping(user).Where(u => u.TotpLastStep < step)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpLastStep, step), cancellationToken) == 1;
    }

    /// <summary>
    /// Login bookkeeping is not an edit of the user: written past the change tracker, it neither changes the version
    /// (the ETag an admin holds) nor publishes an event.
    /// </summary>
    private IQueryable<User> Bookkeeping(User user) => db.Users.IgnoreQueryFilters().Where(u => u.Id == user.Id);
}
