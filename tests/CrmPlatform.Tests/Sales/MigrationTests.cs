using CrmPlatform.Persistence;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Pipelines;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CrmPlatform.Tests.Sales;

/// <summary>Opportunities written by an earlier version of Sales read correctly after the migrations that followed.</summary>
public sealed class MigrationTests
{
    private const string BeforePipelines = "20261123024546_OpportunityMergeMoves";
    private const string BeforeContactMergeMoves = "20261206041002_Leads";

    [Fact]
    public async Task Each_tenant_with_opportunities_gets_the_default_pipeline_and_its_opportunities_keep_their_stages()
    {
        var servers = await TestServers.GetAsync();
        var options = new DbContextOptionsBuilder<SalesDbContext>();
        options.UseServiceDatabase(await servers.CreateDatabaseAsync("sales_migration"));
        var tenants = new[] { Guid.CreateVersion7(), Guid.CreateVersion7() };
        await using var db = new SalesDbContext(options.Options, new TenantContext { TenantId = tenants[0] }, TimeProvider.System);
        await db.GetService<IMigrator>().MigrateAsync(BeforePipelines);
        var lastChanged = new DateTime(2026, 11, 20, 9, 30, 0, DateTimeKind.Utc);
        var opportunities = new[]
        {
            (Id: Guid.CreateVersion7(), Tenant: tenants[0], Stage: "negotiation"),
            (Id: Guid.CreateVersion7(), Tenant: tenants[0], Stage: "closed-lost"),
            (Id: Guid.CreateVersion7(), Tenant: tenants[1], Stage: "closed-won"),
        };
        foreach (var (id, tenant, stage) in opportunities)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO opportunities (id, tenant_id, name, amount, currency, customer_id, stage, created_at, updated_at, version)
                VALUES ({id}, {tenant}, 'Old deal', 100, 'EUR', {Guid.CreateVersion7()}, {stage}, {lastChanged}, {lastChanged}, 1)
                """);
        }

        await db.GetService<IMigrator>().MigrateAsync();

        var pipelines = await db.Pipelines.IgnoreQueryFilters().AsNoTracking().ToListAsync();
        Assert.Equal(tenants.Order(), pipelines.Select(p => p.TenantId).Order());
        Assert.All(pipelines, p => Assert.Equal((Pipeline.SeededName, true), (p.Name, p.IsDefault)));
        Assert.All(pipelines, p => Assert.Equal(Pipeline.SeededStages, p.Stages));
        var migrated = await db.Opportunities.IgnoreQueryFilters().AsNoTracking().ToDictionaryAsync(o => o.Id);
        foreach (var (id, tenant, stage) in opportunities)
        {
            var opportunity = migrated[id];
            Assert.Equal(pipelines.Single(p => p.TenantId == tenant).Id, opportunity.PipelineId);
            Assert.Equal((stage, lastChanged), (opportunity.Stage, opportunity.StageEnteredAt));
            Assert.Equal(stage.StartsWith("closed-", StringComparison.Ordinal) ? lastChanged : null, opportunity.ClosedAt);
        }
    }

    [Fact]
    public async Task An_opportunity_moved_by_a_merge_before_other_records_moved_too_still_goes_back_on_undo()
    {
        var servers = await TestServers.GetAsync();
        var options = new DbContextOptionsBuilder<SalesDbContext>();
        options.UseServiceDatabase(await servers.CreateDatabaseAsync("sales_merge_moves_migration"));
        await using var db = new SalesDbContext(options.Options, new TenantContext { TenantId = Guid.CreateVersion7() }, TimeProvider.System);
        await db.GetService<IMigrator>().MigrateAsync(BeforeContactMergeMoves);
        var (merge, opportunity, from) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO opportunity_merge_moves (merge_id, opportunity_id, from_customer_id, tenant_id)
            VALUES ({merge}, {opportunity}, {from}, {Guid.CreateVersion7()})
            """);

        await db.GetService<IMigrator>().MigrateAsync();

        var move = await db.ContactMergeMoves.IgnoreQueryFilters().AsNoTracking().SingleAsync();
        Assert.Equal((merge, "opportunity", opportunity, from), (move.MergeId, move.RecordKind, move.RecordId, move.FromContactId));
    }
}
