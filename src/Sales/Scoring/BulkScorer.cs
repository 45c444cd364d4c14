using System.Text.Json;
using CrmPlatform.Persistence;
using CrmPlatform.Sales.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.Sales.Scoring;

/// <summary>
/// Rescores leads: all of a tenant's (after training, on the schedule, so engagement decays) or one (when its engagement
/// changed). A score is bookkeeping, not a change of the lead: written with plain updates that neither bump the version
/// (a client's If-Match still holds) nor write audit entries. Leads are read and written in pages of
/// <see cref="PageSize"/>, each page one UPDATE … FROM unnest(…) that skips the leads whose score did not change (so
/// <c>scored_at</c> is when the score last changed).
/// </summary>
public static class BulkScorer
{
    public const int PageSize = 5_000;

    public static async Task<int> RescoreTenantAsync(SalesDbContext db, CancellationToken cancellationToken)
    {
        var tenant = db.CurrentTenantId;
        var context = await LeadScorer.ContextAsync(db, cancellationToken);
        var now = DateTime.UtcNow;
        var engagements = (await db.LeadEngagements.AsNoTracking().Where(e => e.TenantId == tenant)
                .Select(e => new { e.LeadId, e.Kind, e.OccurredAt }).ToListAsync(cancellationToken))
            .ToLookup(e => e.LeadId, e => (e.Kind, e.OccurredAt));
        var scored = 0;
        Guid? after = null;
        while (true)
        {
            var page = await db.Leads.IgnoreQueryFilters().AsNoTracking()
                .Where(l => l.TenantId == tenant && (after == null || l.Id.CompareTo(after.Value) > 0))
                .OrderBy(l => l.Id).Take(PageSize)
                .Select(l => new LeadFacts(l.Id, l.Industry, l.Country, l.EmployeeCount, l.JobTitle, l.ProductInterests, l.Source))
                .ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                return scored;
            }
            var scores = page.Select(lead => LeadScorer.Compute(lead, engagements[lead.Id], context, now)).ToList();
            await WriteAsync(db, tenant, page.Select(l => l.Id).ToArray(), scores, now, cancellationToken);
            scored += page.Count;
            after = page[^1].Id;
        }
    }

    /// <summary>
    /// One lead, after its engagement changed; nothing when it is not the tenant's. Call inside the transaction that
    /// recorded the engagement: the lead's row is locked before its engagement is read, so two events of one lead
    /// recorded at once are scored one after the other, the second seeing the first (not each only itself).
    /// </summary>
    public static async Task RescoreLeadAsync(SalesDbContext db, Guid leadId, CancellationToken cancellationToken)
    {
        var tenant = db.CurrentTenantId;
        await db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM leads WHERE id = {leadId} AND tenant_id = {tenant} FOR UPDATE")
            .ToListAsync(cancellationToken);
        var lead = await db.Leads.IgnoreQueryFilters().AsNoTracking().Where(l => l.TenantId == tenant && l.Id == leadId)
            .Select(l => new LeadFacts(l.Id, l.Industry, l.Country, l.EmployeeCount, l.JobTitle, l.ProductInterests, l.Source))
            .SingleOrDefaultAsync(cancellationToken);
        if (lead is null)
        {
            return;
        }
        var context = await LeadScorer.ContextAsync(db, cancellationToken);
        var engagements = await db.LeadEngagements.AsNoTracking().Where(e => e.LeadId == leadId)
            .Select(e => new { e.Kind, e.OccurredAt }).ToListAsync(cancellationToken);
        var now = DateTime.UtcNow;
        var score = LeadScorer.Compute(lead, engagements.Select(e => (e.Kind, e.OccurredAt)), context, now);
        await WriteAsync(db, tenant, [leadId], [score], now, cancellationToken);
    }

    private static async Task WriteAsync(
        SalesDbContext db, Guid tenant, Guid[] ids, IReadOnlyList<LeadScore> scores, DateTime now, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(cancellationToken);
        }
        try
        {
            await using var command = new NpgsqlCommand("""
                UPDATE leads AS l SET fit_score = u.fit, engagement_score = u.engagement, score = u.score, score_method = u.method,
                    score_model_id = u.model_id, conversion_probability = u.probability, score_contributions = u.contributions::jsonb,
                    scored_at = @now
                FROM unnest(@ids, @fit, @engagement, @score, @method, @model_id, @probability, @contributions)
                    AS u(id, fit, engagement, score, method, model_id, probability, contributions)
                WHERE l.id = u.id AND l.tenant_id = @tenant
                    AND (l.score IS DISTINCT FROM u.score OR l.fit_score IS DISTINCT FROM u.fit OR l.engagement_score IS DISTINCT FROM u.engagement
                        OR l.score_method IS DISTINCT FROM u.method OR l.score_model_id IS DISTINCT FROM u.model_id
                        OR l.score_contributions IS DISTINCT FROM u.contributions::jsonb)
                """, connection);
            command.Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = ids });
            command.Parameters.Add(new NpgsqlParameter("fit", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = scores.Select(s => s.Fit).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("engagement", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = scores.Select(s => s.Engagement).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("score", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = scores.Select(s => s.Score).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("method", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = scores.Select(s => s.Method).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("model_id", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = scores.Select(s => s.ModelId).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("probability", NpgsqlDbType.Array | NpgsqlDbType.Double)
                { Value = scores.Select(s => s.ConversionProbability).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("contributions", NpgsqlDbType.Array | NpgsqlDbType.Text)
                { Value = scores.Select(s => JsonSerializer.Serialize(s.Contributions, JsonListColumns.Options)).ToArray() });
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("tenant", tenant);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }
    }
}
