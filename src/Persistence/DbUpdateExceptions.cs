using Npgsql;

namespace CrmPlatform.Persistence;

/// <summary>What PostgreSQL refused, whether the write went through SaveChanges (a wrapped error) or a COPY (a bare one).</summary>
public static class DbUpdateExceptions
{
    public static bool IsUniqueViolation(this Exception exception) => SqlState(exception) == PostgresErrorCodes.UniqueViolation;

    public static bool IsForeignKeyViolation(this Exception exception) => SqlState(exception) == PostgresErrorCodes.ForeignKeyViolation;

    private static string? SqlState(Exception exception) =>
        (exception as PostgresException ?? exception.InnerException as PostgresException)?.SqlState;
}
