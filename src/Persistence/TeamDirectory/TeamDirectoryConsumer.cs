using CrmPlatform.Contracts.Identity.V1;
using CrmPlatform.Persistence.Replicas;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using MassTransit;

namespace CrmPlatform.Persistence.TeamDirectory;

/// <summary>Keeps a service's team directory in step with Identity.</summary>
public sealed class TeamDirectoryConsumer<TDbContext>(TDbContext db, TenantContext tenant, TimeProvider clock) :
    IConsumer<TeamCreated>, IConsumer<TeamUpdated>, IConsumer<TeamDeleted>
    where TDbContext : TenantDbContext
{
    public Task Consume(ConsumeContext<TeamCreated> context) => Apply(context, team => Set(team, context.Message.Team));

    public Task Consume(ConsumeContext<TeamUpdated> context) => Apply(context, team => Set(team, context.Message.Team));

    public Task Consume(ConsumeContext<TeamDeleted> context) => Apply(context, team =>
    {
        team.IsDeleted = true;
        team.MemberIds = [];
    });

    private static void Set(DirectoryTeam team, TeamSnapshot snapshot)
    {
        team.Name = snapshot.Name;
        team.MemberIds = [.. snapshot.MemberIds.Select(id => id.ToString())];
    }

    private Task Apply<TEvent>(ConsumeContext<TEvent> context, Action<DirectoryTeam> change) where TEvent : class, Contracts.IIntegrationEvent =>
        Replica.ApplyAsync(db, tenant, clock, context, "team-directory", id => new DirectoryTeam { Id = id }, change);
}
