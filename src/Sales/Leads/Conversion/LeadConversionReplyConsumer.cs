using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Model;
using CrmPlatform.Sales.Pipelines;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads.Conversion;

/// <summary>
/// The last step of a lead conversion: Contacts' answer. Resolved, the opportunity is made with the id chosen at the
/// request, the lead is converted and linked, and the events leave through the outbox, all in one commit with the
/// inbox row; rejected, the conversion fails and the lead stays as it was. A conversion no longer requested ignores
/// any further answer, so a redelivered or repeated answer changes nothing.
/// </summary>
public sealed class LeadConversionReplyConsumer(SalesDbContext db, TenantContext tenant, TimeProvider clock, LeadConversionSignal signal)
    : IConsumer<LeadContactsResolved>, IConsumer<LeadContactsRejected>
{
    public const string ConsumerName = "lead-conversions";

    public async Task Consume(ConsumeContext<LeadContactsResolved> context)
    {
        var reply = context.Message;
        tenant.TenantId = reply.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? reply.EventId, ConsumerName, async () =>
        {
            if (await RequestedAsync(reply.AggregateId, context.CancellationToken) is not { } conversion)
            {
                return;
            }
            tenant.ActorId = conversion.RequestedBy;
            var now = clock.GetUtcNow().UtcDateTime;
            conversion.Resolve(reply);
            await KnowCustomersAsync(reply, now, context.CancellationToken);

            var lead = await db.Leads.IgnoreQueryFilters().SingleAsync(l => l.Id == conversion.LeadId && l.TenantId == reply.TenantId, context.CancellationToken);
            Opportunity? opportunity = null;
            if (conversion.CreateOpportunity)
            {
                (opportunity, var refusal) = await OpenOpportunityAsync(conversion, lead, reply, now, context.CancellationToken);
                if (refusal is not null)
                {
                    conversion.Fail(refusal.Value.Detail, refusal.Value.Errors, now);
                    return;
                }
            }

            lead.Status = LeadStatuses.Converted;
            lead.ConvertedPersonId = reply.PersonId;
            lead.ConvertedOrganizationId = reply.OrganizationId;
            lead.ConvertedOpportunityId = opportunity?.Id;
            lead.ConvertedAt = now;
            conversion.Complete(now);
            db.Stamp();
            foreach (var integrationEvent in opportunity?.TakeEvents() ?? [])
            {
                db.AddEvent(integrationEvent);
            }
            db.AddEvent(new LeadConverted(Guid.CreateVersion7(), now, lead.TenantId, lead.Id, lead.Version, conversion.Id,
                reply.PersonId, reply.PersonCreated, reply.OrganizationId, reply.OrganizationCreated, opportunity?.Id, conversion.RequestedBy));
        }, context.CancellationToken);
        signal.Finished(reply.AggregateId);
    }

    public async Task Consume(ConsumeContext<LeadContactsRejected> context)
    {
        var reply = context.Message;
        tenant.TenantId = reply.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? reply.EventId, ConsumerName, async () =>
        {
            if (await RequestedAsync(reply.AggregateId, context.CancellationToken) is { } conversion)
            {
                conversion.Fail(reply.Detail, reply.Errors, clock.GetUtcNow().UtcDateTime);
            }
        }, context.CancellationToken);
        signal.Finished(reply.AggregateId);
    }

    /// <summary>The conversion, locked, while it still waits for Contacts; null once it has an outcome.</summary>
    private async Task<LeadConversion?> RequestedAsync(Guid id, CancellationToken cancellationToken) =>
        (await db.Set<LeadConversion>()
            .FromSql($"SELECT * FROM lead_conversions WHERE id = {id} AND tenant_id = {db.CurrentTenantId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken)) is { IsRequested: true } conversion ? conversion : null;

    /// <summary>
    /// The opportunity's customer must be in the contact directory, which Contacts' own events fill a moment later:
    /// a row at version 0 stands in until they arrive (any real event is newer and overwrites it).
    /// </summary>
    private async Task KnowCustomersAsync(LeadContactsResolved reply, DateTime now, CancellationToken cancellationToken)
    {
        await KnowAsync(reply.PersonId, ContactKind.Person, reply.PersonDisplayName, reply.PersonEmail, reply.OrganizationId, now, cancellationToken);
        if (reply.OrganizationId is { } organizationId)
        {
            await KnowAsync(organizationId, ContactKind.Organization, reply.OrganizationName ?? "", null, null, now, cancellationToken);
        }
    }

    /// <summary>
    /// ON CONFLICT: the record's own event may be applied by the directory consumer at the same moment; whichever
    /// row is there first stays (a real event is never older than the stand-in), and neither side has to retry.
    /// </summary>
    private Task KnowAsync(Guid id, ContactKind kind, string displayName, string? email, Guid? organizationId, DateTime now, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO directory_contacts (id, tenant_id, version, is_deleted, created_at, updated_at, kind, display_name, email, organization_id, processing_restricted, objects_to_direct_marketing)
            VALUES ({id}, {db.CurrentTenantId}, 0, false, {now}, {now}, {kind.ToString()}, {displayName}, {email}, {organizationId}, false, false)
            ON CONFLICT DO NOTHING
            """, cancellationToken);

    private async Task<(Opportunity?, (string Detail, IReadOnlyDictionary<string, string[]> Errors)?)> OpenOpportunityAsync(
        LeadConversion conversion, Lead lead, LeadContactsResolved reply, DateTime now, CancellationToken cancellationToken)
    {
        // The pipeline may have changed since the request was checked: its rules as they are now decide.
        var pipeline = await TenantPipelines.ForAsync(db, conversion.PipelineId, current: null, cancellationToken);
        var errors = new FieldErrors();
        var stage = pipeline is null ? null : StageMoves.Resolve(pipeline, conversion.Stage, current: null, LossDetails.None, errors);
        if (pipeline is null || stage is null || !await TenantPipelines.StillHasStageAsync(db, pipeline.Id, stage, cancellationToken))
        {
            return (null, ("The opportunity's pipeline or stage no longer exists; convert the lead again.",
                new Dictionary<string, string[]> { ["stage"] = ["The pipeline or stage was removed while the conversion ran."] }));
        }
        var opportunity = new Opportunity
        {
            Id = conversion.OpportunityId,
            Name = conversion.OpportunityName!,
            Amount = conversion.Amount ?? 0,
            Currency = conversion.Currency!,
            CustomerId = reply.OrganizationId ?? reply.PersonId,
            ExpectedCloseDate = conversion.ExpectedCloseDate,
            OwnerId = lead.OwnerId,
        };
        var missing = opportunity.Open(pipeline, stage, LossDetails.None, conversion.RequestedBy, now);
        if (!missing.IsValid)
        {
            return (null, ($"The opportunity cannot enter the stage '{stage.Name}' without: {string.Join(", ", missing.Keys)}.", missing));
        }
        db.Opportunities.Add(opportunity);
        return (opportunity, null);
    }
}
