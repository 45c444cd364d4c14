namespace CrmPlatform.Persistence.Audit;

/// <summary>A secret (a password hash, a TOTP key): the audit log says it changed, never what to.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AuditRedactedAttribute : Attribute;

/// <summary>Bookkeeping that changes on its own (login counters): not a change anyone made, so not in the audit log.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AuditIgnoredAttribute : Attribute;
