using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Forecast;

/// <summary>
/// Forecast categories: how sure the owner is of an open deal. The default follows the stage's probability
/// (<see cref="Default"/>); the owner may override it per opportunity (their judgement beats the stage's average).
/// Omitted deals count in no forecast figure but their own.
/// </summary>
public static class ForecastCategories
{
    public const string Commit = "commit";
    public const string BestCase = "best-case";
    public const string Pipeline = "pipeline";
    public const string Omitted = "omitted";
    public static readonly IReadOnlyList<string> All = [Commit, BestCase, Pipeline, Omitted];

    public const int CommitFrom = 70;
    public const int BestCaseFrom = 40;

    /// <summary>From the stage's probability: 70 % and above commit, 40 % and above best case, above 0 pipeline, 0 omitted.</summary>
    public static string Default(int probability) => probability switch
    {
        >= CommitFrom => Commit,
        >= BestCaseFrom => BestCase,
        > 0 => Pipeline,
        _ => Omitted,
    };
}

/// <summary>The owner's forecast category for an opportunity, where it differs from the stage's default.</summary>
public sealed class ForecastCategoryOverride : UnownedAuditedEntity
{
    public Guid OpportunityId { get; set; }
    public string Category { get; set; } = ForecastCategories.Pipeline;
}

/// <summary>
/// A change of an opportunity's expected close date, written with the change. A push (a later date than before) is
/// what the hygiene flag counts: a deal whose date keeps slipping is forecast on hope.
/// </summary>
public sealed class CloseDateChange : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid OpportunityId { get; init; }
    public DateOnly? FromDate { get; init; }
    public DateOnly? ToDate { get; init; }
    public bool Pushed { get; init; }
    /// <summary>When it changed (the name lists page by).</summary>
    public DateTime CreatedAt { get; init; }
    public string ChangedBy { get; init; } = "";
}

/// <summary>A target of closed-won amount for a user or a team in a month or a quarter, in one currency.</summary>
public sealed class Quota : UnownedAuditedEntity
{
    public const int SubjectIdMaxLength = 200;

    /// <summary><c>user</c> (a token subject) or <c>team</c> (a team of the team directory).</summary>
    public string SubjectKind { get; set; } = QuotaSubjects.User;
    public string SubjectId { get; set; } = "";
    /// <summary><c>month</c> or <c>quarter</c>.</summary>
    public string Period { get; set; } = ForecastPeriods.Quarter;
    public DateOnly PeriodStart { get; set; }
    public string Currency { get; set; } = "";
    public decimal Amount { get; set; }
}

public static class QuotaSubjects
{
    public const string User = "user";
    public const string Team = "team";
    public static readonly IReadOnlyList<string> All = [User, Team];
}

public static class ForecastPeriods
{
    public const string Month = "month";
    public const string Quarter = "quarter";
    public static readonly IReadOnlyList<string> All = [Month, Quarter];

    public static DateOnly StartOf(string period, DateOnly date) => period == Month
        ? new DateOnly(date.Year, date.Month, 1)
        : new DateOnly(date.Year, (date.Month - 1) / 3 * 3 + 1, 1);

    public static DateOnly Next(string period, DateOnly start) => start.AddMonths(period == Month ? 1 : 3);

    public static bool IsStart(string period, DateOnly date) => StartOf(period, date) == date;

    /// <summary>The starts of the periods from <paramref name="from"/> (a period's start) up to <paramref name="to"/> (exclusive).</summary>
    public static List<DateOnly> Starts(string period, DateOnly from, DateOnly to)
    {
        var starts = new List<DateOnly>();
        for (var start = from; start < to; start = Next(period, start))
        {
            starts.Add(start);
        }
        return starts;
    }

    /// <summary>The start of the period that begins the second half of [<paramref name="from"/>, <paramref name="to"/>); null for a single period.</summary>
    public static DateOnly? Middle(string period, DateOnly from, DateOnly to) =>
        Starts(period, from, to) is { Count: >= 2 } starts ? starts[starts.Count / 2] : null;
}

/// <summary>
/// The tenant's forecast as it stood in one week: taken once per tenant and week (a unique index keeps it so), by
/// <see cref="ForecastSnapshots"/>, to compare later with what closed.
/// </summary>
public sealed class ForecastSnapshot : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    /// <summary>The Monday (UTC) of the week the snapshot belongs to.</summary>
    public DateOnly WeekOf { get; init; }
    /// <summary>When it was taken (the name lists page by).</summary>
    public DateTime CreatedAt { get; init; }
}

/// <summary>One owner's open deals of one month and currency in one category, as the snapshot found them.</summary>
public sealed class ForecastSnapshotLine : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid SnapshotId { get; init; }
    public string OwnerId { get; init; } = "";
    public DateOnly Month { get; init; }
    public string Currency { get; init; } = "";
    public string Category { get; init; } = "";
    public int Count { get; init; }
    public decimal Amount { get; init; }
    public decimal WeightedAmount { get; init; }
}
