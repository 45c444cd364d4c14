using CrmPlatform.Persistence.TeamDirectory;

namespace CrmPlatform.Sales.Forecast;

/// <summary>
/// One currency's forecast figures (amounts are never converted: there is no exchange rate in the platform). The
/// category amounts are unweighted, each category on its own; <c>weightedAmount</c> weighs every deal that is not
/// omitted by its stage's probability. <c>closedWon</c> is what closed won in the period; attainment is it over the
/// quota of the same currency (null without one).
/// </summary>
public sealed record ForecastFigures(
    string Currency, int Count, decimal Amount, decimal WeightedAmount,
    decimal Commit, decimal BestCase, decimal Pipeline, decimal Omitted,
    int ClosedWonCount, decimal ClosedWon, decimal? Quota, decimal? Attainment);

/// <summary>How many open deals carry each flag (a deal may carry several).</summary>
public sealed record HygieneCounts(int Stale, int CloseDatePushed, int NoNextCommitment, int NoRecentActivity)
{
    public static readonly HygieneCounts None = new(0, 0, 0, 0);

    public HygieneCounts Plus(HygieneCounts other) =>
        new(Stale + other.Stale, CloseDatePushed + other.CloseDatePushed, NoNextCommitment + other.NoNextCommitment, NoRecentActivity + other.NoRecentActivity);
}

/// <summary>An owner's (or a team's) forecast for one period.</summary>
public sealed record ForecastRow(string? OwnerId, Guid? TeamId, string? TeamName, DateOnly PeriodStart, IReadOnlyList<ForecastFigures> Totals, HygieneCounts Hygiene);

/// <summary>Everyone the caller's forecast covers, for one period.</summary>
public sealed record ForecastPeriodTotal(DateOnly PeriodStart, IReadOnlyList<ForecastFigures> Totals, HygieneCounts Hygiene);

public sealed record ForecastResponse(
    string Period, DateOnly From, DateOnly To, string GroupBy, IReadOnlyList<ForecastRow> Rows, IReadOnlyList<ForecastPeriodTotal> Totals);

/// <summary>Rolls the grouped rows up by period and by owner or team, and sets quotas beside what closed.</summary>
public static class ForecastRollup
{
    public const string ByOwner = "owner";
    public const string ByTeam = "team";
    public static readonly IReadOnlyList<string> GroupBys = [ByOwner, ByTeam];

    public static ForecastResponse Build(string period, DateOnly from, DateOnly to, string groupBy,
        IReadOnlyList<OpenGroup> open, IReadOnlyList<WonGroup> won, IReadOnlyList<Quota> quotas, IReadOnlyList<DirectoryTeam> teams)
    {
        var periods = ForecastPeriods.Starts(period, from, to);
        DateOnly PeriodOf(DateOnly month) => ForecastPeriods.StartOf(period, month);

        // (owner, period) → its groups; a team's row is the sum of its members' (a member of two teams counts in both).
        var openBy = open.ToLookup(g => (g.OwnerId, g.Period));
        var wonBy = won.ToLookup(g => (g.OwnerId, Period: PeriodOf(g.Month)));
        var owners = open.Select(g => g.OwnerId).Concat(won.Select(g => g.OwnerId)).Distinct().Order(StringComparer.Ordinal).ToList();

        var rows = new List<ForecastRow>();
        if (groupBy == ByOwner)
        {
            foreach (var owner in owners)
            {
                foreach (var start in periods)
                {
                    var ownQuotas = QuotasFor(quotas, QuotaSubjects.User, owner, period, start);
                    rows.Add(Row(owner, null, null, start, openBy[(owner, start)], wonBy[(owner, start)], ownQuotas));
                }
            }
        }
        else
        {
            foreach (var team in teams)
            {
                foreach (var start in periods)
                {
                    var teamOpen = team.MemberIds.Distinct().SelectMany(member => openBy[(member, start)]);
                    var teamWon = team.MemberIds.Distinct().SelectMany(member => wonBy[(member, start)]);
                    rows.Add(Row(null, team.Id, team.Name, start, teamOpen, teamWon, QuotasFor(quotas, QuotaSubjects.Team, team.Id.ToString(), period, start)));
                }
            }
        }
        var totals = periods.Select(start =>
        {
            var all = Row(null, null, null, start, open.Where(g => g.Period == start), won.Where(g => PeriodOf(g.Month) == start), []);
            return new ForecastPeriodTotal(start, all.Totals, all.Hygiene);
        }).ToList();
        return new ForecastResponse(period, from, to.AddDays(-1), groupBy, rows, totals);
    }

    /// <summary>
    /// The quota for a subject and period, per currency: one set for that very period, else (for a quarter) the sum of
    /// the months' quotas set in it.
    /// </summary>
    private static Dictionary<string, decimal> QuotasFor(IReadOnlyList<Quota> quotas, string kind, string subject, string period, DateOnly start)
    {
        var own = quotas.Where(q => q.SubjectKind == kind && q.SubjectId == subject).ToList();
        var exact = own.Where(q => q.Period == period && q.PeriodStart == start).ToDictionary(q => q.Currency, q => q.Amount);
        if (period == ForecastPeriods.Quarter)
        {
            var end = ForecastPeriods.Next(period, start);
            foreach (var monthly in own.Where(q => q.Period == ForecastPeriods.Month && q.PeriodStart >= start && q.PeriodStart < end)
                         .GroupBy(q => q.Currency).Where(g => !exact.ContainsKey(g.Key)))
            {
                exact[monthly.Key] = monthly.Sum(q => q.Amount);
            }
        }
        return exact;
    }

    private static ForecastRow Row(string? owner, Guid? teamId, string? teamName, DateOnly start,
        IEnumerable<OpenGroup> open, IEnumerable<WonGroup> won, Dictionary<string, decimal> quotas)
    {
        var openList = open.ToList();
        var wonList = won.ToList();
        var currencies = openList.Select(g => g.Currency).Concat(wonList.Select(g => g.Currency)).Concat(quotas.Keys)
            .Distinct().Order(StringComparer.Ordinal);
        var figures = currencies.Select(currency =>
        {
            var inCurrency = openList.Where(g => g.Currency == currency).ToList();
            decimal In(string category) => inCurrency.Where(g => g.Category == category).Sum(g => g.Amount);
            var closed = wonList.Where(g => g.Currency == currency).ToList();
            var closedWon = closed.Sum(g => g.Amount);
            decimal? quota = quotas.TryGetValue(currency, out var q) ? q : null;
            return new ForecastFigures(currency, inCurrency.Sum(g => g.Count), inCurrency.Sum(g => g.Amount), inCurrency.Sum(g => g.WeightedAmount),
                In(ForecastCategories.Commit), In(ForecastCategories.BestCase), In(ForecastCategories.Pipeline), In(ForecastCategories.Omitted),
                closed.Sum(g => g.Count), closedWon, quota, quota is > 0 ? decimal.Round(closedWon / quota.Value, 4, MidpointRounding.AwayFromZero) : null);
        }).ToList();
        var hygiene = openList.Aggregate(HygieneCounts.None, (sum, g) => sum.Plus(new HygieneCounts(g.Stale, g.Pushed, g.NoCommitment, g.Inactive)));
        return new ForecastRow(owner, teamId, teamName, start, figures, hygiene);
    }
}
