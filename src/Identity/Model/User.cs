using CrmPlatform.Persistence.Audit;
using CrmPlatform.Contracts.Identity.V1;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Identity.Model;

/// <summary>A person who signs in to the CRM (authorization code flow). Belongs to one tenant.</summary>
public sealed class User : AuditedEntity
{
    public const int EmailMaxLength = 320;
    public const int DisplayNameMaxLength = 200;
    public const int MaxFailedLogins = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    public string Email { get; private set; } = "";

    /// <summary>
    /// Lower-cased email, unique across all tenants: people sign in with their email alone, so it alone must find
    /// the tenant.
    /// </summary>
    public string NormalizedEmail { get; private set; } = "";

    public string DisplayName { get; set; } = "";
    [AuditRedacted]
    public string PasswordHash { get; set; } = "";
    public List<string> Roles { get; set; } = [];
    public bool Disabled { get; set; }

    // Login bookkeeping; written with ExecuteUpdate (see PasswordLogin), so it never changes the version or ETag.
    [AuditIgnored]
    public int FailedLogins { get; set; }
    [AuditIgnored]
    public DateTime? LockedUntil { get; set; }

    /// <summary>
    /// Base32 TOTP key. Stored as is: whoever can read this table can also read the signing keys next to it, which
    /// are worth more.
    /// </summary>
    [AuditRedacted]
    public string? TotpSecret { get; set; }

    public bool TotpEnabled { get; set; }

    /// <summary>The last 30-second step a code was accepted for, so a code cannot be replayed within its window.</summary>
    [AuditIgnored]
    public long TotpLastStep { get; set; }

    public List<TeamMembership> Memberships { get; } = [];

    public void SetEmail(string email)
    {
        Email = email.Trim();
        NormalizedEmail = NormalizeEmail(email);
    }

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    public UserSnapshot ToSnapshot() =>
        new(DisplayName, Email, [.. Roles], [.. Memberships.Select(m => m.TeamId).Order()], Disabled);

    // Events carry the version the save is about to write, so the entity must be stamped first.
    public UserCreated Created() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public UserUpdated Updated() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public UserDeleted Deleted(DateTime now) => new(Guid.CreateVersion7(), now, TenantId, Id, Version);
}
