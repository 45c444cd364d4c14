using System.Data.Common;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Pipelines;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.Sales.Forecast;

/// <summary>When a deal's hygiene flags go up: its close date pushed this many times, no activity for this many days.</summary>
public sealed record HygieneSettings(int PushedAtLeast, int InactiveDays)
{
    public static readonly HygieneSettings Default = new(2, 14);
}

/// <summary>One owner's open deals of one period (month or quarter) and currency in one category, with how many carry each hygiene flag.</summary>
public sealed record OpenGroup(string OwnerId, DateOnly Period, string Currency, string Category, int Count, decimal Amount, decimal WeightedAmount,
    int Stale, int Pushed, int NoCommitment, int Inactive);

/// <summary>One owner's won deals of one month (when they closed) and currency.</summary>
public sealed record WonGroup(string OwnerId, DateOnly Month, string Currency, int Count, decimal Amount);

/// <summary>An open opportunity with its hygiene facts.</summary>
public sealed record DealHygiene(Guid Id, string Name, string OwnerId, Guid PipelineId, string Stage, decimal Amount, string Currency,
    DateOnly? ExpectedCloseDate, bool Stale, int CloseDatePushes, bool NoNextCommitment, DateTime LastActivityAt);

/// <summary>
/// The forecast's questions in SQL, grouped in PostgreSQL so that a roll-up over a hundred thousand opportunities moves
/// hundreds of rows, not a hundred thousand. Written as SQL, not LINQ, for the per-deal flags and the grouping; so the
/// scope is applied here explicitly (<see cref="ForecastScope"/>), and the tenant with it.
/// </summary>
public sealed class ForecastQuery(SalesDbContext db, IReadOnlyList<Pipeline> pipelines, ForecastScope scope)
{
    public static async Task<ForecastQuery> ForAsync(SalesDbContext db, ForecastScope scope, CancellationToken cancellationToken) =>
        new(db, await db.Pipelines.AsNoTracking().ToListAsync(cancellationToken), scope);

    /// <summary>
    /// The open deals in scope with their hygiene facts, which the opportunity row carries (kept by triggers, see
    /// <see cref="Model.Opportunity.LastActivityAt"/>), so a roll-up reads one index. What depends on the stage (its
    /// probability, default category, and the 75th percentile of won deals' time in it, which triggers keep in
    /// <c>won_stage_times</c>) is joined once from the few rows of <c>stages</c>, materialized so that PostgreSQL does
    /// not fold the join with <c>won_stage_times</c> into the per-deal join; each stage's percentile becomes the instant
    /// before which a deal in it is stale, so a deal costs one timestamp comparison rather than an interval's epoch in
    /// <c>numeric</c>. <c>{0}</c> narrows the deals.
    /// </summary>
    private const string Deals = """
        WITH stages AS MATERIALIZED (
            SELECT st.pipeline_id, st.stage, st.probability, st.category,
                   coalesce(@now - w.p75_seconds * interval '1 second', '-infinity') AS stale_before
            FROM unnest(@stage_pipelines, @stage_keys, @stage_probabilities, @stage_categories) AS st(pipeline_id, stage, probability, category)
            LEFT JOIN won_stage_times w ON w.tenant_id = @tenant AND w.pipeline_id = st.pipeline_id AND w.stage = st.stage
        ),
        deals AS (
            SELECT o.id, o.name, coalesce(o.owner_id, '') AS owner_id, o.currency, o.amount, o.pipeline_id, o.stage, o.expected_close_date,
                   coalesce(o.stage_entered_at < s.stale_before, false) AS stale,
                   o.close_date_pushes AS pushes,
                   NOT o.has_current_commitment AS no_commitment,
                   greatest(o.created_at, o.last_activity_at) AS last_touch,
                   coalesce(s.probability, 0) AS probability,
                   coalesce(f.category, s.category, @omitted) AS category
            FROM opportunities o
            LEFT JOIN stages s ON s.pipeline_id = o.pipeline_id AND s.stage = o.stage
            LEFT JOIN forecast_category_overrides f ON f.opportunity_id = o.id
            WHERE o.tenant_id = @tenant AND o.closed_at IS NULL AND (@whole OR o.owner_id = ANY(@owners))
              AND (@pipeline::uuid IS NULL OR o.pipeline_id = @pipeline)
              AND {0}
        )
        """;

    private static string DealsWhere(string filter) => Deals.Replace("{0}", filter, StringComparison.Ordinal);

    /// <summary>
    /// Open deals expected to close from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), by
    /// owner, <paramref name="period"/> (month or quarter), currency and forecast category. Each deal's category (its
    /// override, else its stage's default) and weight come from the stages passed in, so PostgreSQL hands back a row
    /// per figure of the answer rather than one per stage of every owner's month.
    /// </summary>
    public Task<List<OpenGroup>> OpenAsync(string period, DateOnly from, DateOnly to, Guid? pipelineId, HygieneSettings hygiene, DateTime now,
        CancellationToken cancellationToken) =>
        OpenAsync(period, from, to, pipelineId, hygiene, now, ownConnection: false, cancellationToken);

    private async Task<List<OpenGroup>> OpenAsync(string period, DateOnly from, DateOnly to, Guid? pipelineId, HygieneSettings hygiene, DateTime now,
        bool ownConnection, CancellationToken cancellationToken)
    {
        var sql = DealsWhere("o.expected_close_date >= @from AND o.expected_close_date < @to") + """
            SELECT owner_id, date_trunc(@period, expected_close_date::timestamp)::date, currency, category,
                   count(*)::int, sum(amount), coalesce(sum(amount * probability) FILTER (WHERE category <> @omitted), 0),
                   count(*) FILTER (WHERE stale)::int, count(*) FILTER (WHERE pushes >= @pushes)::int,
                   count(*) FILTER (WHERE no_commitment)::int, count(*) FILTER (WHERE last_touch < @inactive_since)::int
            FROM deals GROUP BY 1, 2, 3, 4
            """;
        var groups = new List<OpenGroup>();
        await ReadAsync(sql, DealParameters(pipelineId, hygiene, now).Concat([
            new NpgsqlParameter("period", period),
            new NpgsqlParameter("from", from),
            new NpgsqlParameter("to", to),
        ]), reader => groups.Add(new OpenGroup(reader.GetString(0), DateOnly.FromDateTime(reader.GetDateTime(1)), reader.GetString(2).Trim(),
            reader.GetString(3), reader.GetInt32(4), reader.GetDecimal(5),
            decimal.Round(reader.GetDecimal(6) / 100m, 2, MidpointRounding.AwayFromZero),
            reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10))), cancellationToken, ownConnection);
        return groups;
    }

    /// <summary>Open deals with their hygiene facts, in id order after <paramref name="after"/>; only flagged ones unless <paramref name="all"/>.</summary>
    public async Task<List<DealHygiene>> DealsAsync(Guid? opportunityId, string? ownerId, string? flag, bool all, Guid? after, int limit,
        HygieneSettings hygiene, DateTime now, CancellationToken cancellationToken)
    {
        var flagged = flag switch
        {
            "stale" => "stale",
            "close-date-pushed" => "pushes >= @pushes",
            "no-next-commitment" => "no_commitment",
            "no-recent-activity" => "last_touch < @inactive_since",
            _ when all => "true",
            _ => "(stale OR pushes >= @pushes OR no_commitment OR last_touch < @inactive_since)",
        };
        var sql = DealsWhere(
            "(@id::uuid IS NULL OR o.id = @id) AND (@owner::text IS NULL OR o.owner_id = @owner) AND (@after::uuid IS NULL OR o.id > @after)") + $"""
            SELECT id, name, owner_id, pipeline_id, stage, amount, currency, expected_close_date, stale, pushes, no_commitment, last_touch
            FROM deals WHERE {flagged} ORDER BY id LIMIT @limit
            """;
        var deals = new List<DealHygiene>();
        await ReadAsync(sql, DealParameters(null, hygiene, now).Concat([
            new NpgsqlParameter("id", NpgsqlDbType.Uuid) { Value = (object?)opportunityId ?? DBNull.Value },
            new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = (object?)ownerId ?? DBNull.Value },
            new NpgsqlParameter("after", NpgsqlDbType.Uuid) { Value = (object?)after ?? DBNull.Value },
            new NpgsqlParameter("limit", limit),
        ]), reader => deals.Add(new DealHygiene(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetGuid(3), reader.GetString(4),
            reader.GetDecimal(5), reader.GetString(6).Trim(), reader.IsDBNull(7) ? null : reader.GetFieldValue<DateOnly>(7),
            reader.GetBoolean(8), reader.GetInt32(9), reader.GetBoolean(10), reader.GetDateTime(11))), cancellationToken);
        return deals;
    }

    /// <summary>Deals won (in a won stage) that closed from <paramref name="from"/> to <paramref name="to"/> (exclusive), by owner, month and currency.</summary>
    public Task<List<WonGroup>> WonAsync(DateOnly from, DateOnly to, Guid? pipelineId, CancellationToken cancellationToken) =>
        WonAsync(from, to, pipelineId, ownConnection: false, cancellationToken);

    /// <summary>
    /// The roll-up's questions at once, each on a connection of its own (outside a transaction): the open deals of the
    /// first and of the second half of the periods, and the won deals. The open deals' grouping is per-row work on
    /// tens of thousands of rows, which one PostgreSQL backend does on one core; halved by period it takes both (a
    /// parallel plan of PostgreSQL's own did not: it gathered the rows and grouped them in one process).
    /// </summary>
    public async Task<(List<OpenGroup> Open, List<WonGroup> Won)> OpenAndWonAsync(string period, DateOnly from, DateOnly to, Guid? pipelineId,
        HygieneSettings hygiene, DateTime now, CancellationToken cancellationToken)
    {
        var apart = db.Database.CurrentTransaction is null;
        var won = WonAsync(from, to, pipelineId, ownConnection: apart, cancellationToken);
        if (!apart || ForecastPeriods.Middle(period, from, to) is not { } middle)
        {
            var open = await OpenAsync(period, from, to, pipelineId, hygiene, now, ownConnection: false, cancellationToken);
            return (open, await won);
        }
        var first = OpenAsync(period, from, middle, pipelineId, hygiene, now, ownConnection: true, cancellationToken);
        var second = OpenAsync(period, middle, to, pipelineId, hygiene, now, ownConnection: false, cancellationToken);
        await Task.WhenAll(first, second, won);
        return ([.. await first, .. await second], await won);
    }

    private async Task<List<WonGroup>> WonAsync(DateOnly from, DateOnly to, Guid? pipelineId, bool ownConnection, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT coalesce(o.owner_id, ''), date_trunc('month', o.closed_at AT TIME ZONE 'UTC')::date, o.currency, count(*)::int, sum(o.amount)
            FROM opportunities o
            JOIN unnest(@won_pipelines, @won_stages) AS won(pipeline_id, stage) ON won.pipeline_id = o.pipeline_id AND won.stage = o.stage
            WHERE o.tenant_id = @tenant AND o.closed_at IS NOT NULL AND o.closed_at >= @from AND o.closed_at < @to
              AND (@whole OR o.owner_id = ANY(@owners)) AND (@pipeline::uuid IS NULL OR o.pipeline_id = @pipeline)
            GROUP BY 1, 2, 3
            """;
        var groups = new List<WonGroup>();
        await ReadAsync(sql, ScopeParameters(pipelineId).Concat(WonStageParameters()).Concat([
            new NpgsqlParameter("from", from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
            new NpgsqlParameter("to", to.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)),
        ]), reader => groups.Add(new WonGroup(reader.GetString(0), DateOnly.FromDateTime(reader.GetDateTime(1)), reader.GetString(2).Trim(),
            reader.GetInt32(3), reader.GetDecimal(4))), cancellationToken, ownConnection);
        return groups;
    }

    private IEnumerable<NpgsqlParameter> ScopeParameters(Guid? pipelineId) =>
    [
        new NpgsqlParameter("tenant", db.CurrentTenantId),
        new NpgsqlParameter("whole", scope.WholeTenant),
        new NpgsqlParameter("owners", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = scope.OwnerIds.ToArray() },
        new NpgsqlParameter("pipeline", NpgsqlDbType.Uuid) { Value = (object?)pipelineId ?? DBNull.Value },
    ];

    /// <summary>The won stages of every pipeline, for the won deals' query (the open deals read <c>stages</c> instead).</summary>
    private IEnumerable<NpgsqlParameter> WonStageParameters()
    {
        var won = pipelines.SelectMany(p => p.Stages.Where(s => s.Kind == StageKind.Won).Select(s => (p.Id, s.Key))).ToList();
        return
        [
            new NpgsqlParameter("won_pipelines", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = won.Select(w => w.Id).ToArray() },
            new NpgsqlParameter("won_stages", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = won.Select(w => w.Key).ToArray() },
        ];
    }

    private IEnumerable<NpgsqlParameter> DealParameters(Guid? pipelineId, HygieneSettings hygiene, DateTime now)
    {
        var stages = pipelines.SelectMany(p => p.Stages.Select(stage => (Pipeline: p.Id, stage.Key, stage.Probability))).ToList();
        return ScopeParameters(pipelineId).Concat([
            new NpgsqlParameter("stage_pipelines", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = stages.Select(s => s.Pipeline).ToArray() },
            new NpgsqlParameter("stage_keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = stages.Select(s => s.Key).ToArray() },
            new NpgsqlParameter("stage_probabilities", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = stages.Select(s => s.Probability).ToArray() },
            new NpgsqlParameter("stage_categories", NpgsqlDbType.Array | NpgsqlDbType.Text)
            {
                Value = stages.Select(s => ForecastCategories.Default(s.Probability)).ToArray(),
            },
            new NpgsqlParameter("omitted", ForecastCategories.Omitted),
            new NpgsqlParameter("now", now),
            new NpgsqlParameter("pushes", hygiene.PushedAtLeast),
            new NpgsqlParameter("inactive_since", now.AddDays(-hygiene.InactiveDays)),
        ]);
    }

    /// <summary>
    /// Runs a report query in a transaction (the caller's, when it has one) with room to group in memory rather than on
    /// disk (JIT compilation, which costs more than these queries take, is off for every service's sessions).
    /// </summary>
    private async Task ReadAsync(string sql, IEnumerable<NpgsqlParameter> parameters, Action<DbDataReader> read, CancellationToken cancellationToken,
        bool ownConnection = false)
    {
        if (ownConnection)
        {
            await using var connection = new NpgsqlConnection(db.Database.GetConnectionString());
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ReadInAsync(transaction, sql, parameters, read, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return;
        }
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            await ReadInAsync(db.Database.CurrentTransaction!.GetDbTransaction(), sql, parameters, read, cancellationToken);
            if (own is not null)
            {
                await own.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
        }
    }

    private static async Task ReadInAsync(DbTransaction transaction, string sql, IEnumerable<NpgsqlParameter> parameters, Action<DbDataReader> read,
        CancellationToken cancellationToken)
    {
        await using (var settings = transaction.Connection!.CreateCommand())
        {
            settings.Transaction = transaction;
            settings.CommandText = "SET LOCAL work_mem = '32MB'";
            await settings.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = transaction.Connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddRange(parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            read(reader);
        }
    }
}
