using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.ServiceDefaults;
using MassTransit;

namespace CrmPlatform.Contacts.Unsubscribes;

/// <summary>
/// Marketing's unsubscribe link, in the person's consent history: a withdrawal of the consent for the campaign's
/// purpose on email (recorded even without an earlier grant: an explicit "do not contact" is worth keeping), with the
/// campaign's link as the reason and the request's address and browser as evidence, by the same ledger as every other
/// consent statement (history row, <c>ConsentChanged</c>, audit entry). Once per message (inbox); a person deleted or
/// erased meanwhile has nothing left to withdraw. A spam complaint (<see cref="UnsubscribeVia.Complaint"/>) is the
/// same "stop" and is recorded alike, but as what it was: source <c>spam-complaint</c> and a reason saying so, since
/// the history is evidence and the person clicked no link.
/// </summary>
public sealed class UnsubscribedConsumer(ContactsDbContext db, TenantContext tenant, TimeProvider clock, ILogger<UnsubscribedConsumer> logger)
    : IConsumer<Unsubscribed>
{
    public const string ConsumerName = "unsubscribes";

    public async Task Consume(ConsumeContext<Unsubscribed> context)
    {
        var message = context.Message;
        if (!ConsentValues.Purposes.Contains(message.Purpose) || !ConsentValues.Channels.Contains(message.Channel))
        {
            logger.LogWarning("Unsubscribe {RecipientId} names consent {Purpose}/{Channel}, which Contacts does not know; not recorded.",
                message.AggregateId, message.Purpose, message.Channel);
            return;
        }
        var complaint = message.Via == UnsubscribeVia.Complaint;
        // The statement's source is also its actor: no user made it.
        var source = complaint ? ConsentSources.SpamComplaint : ConsentSources.UnsubscribeLink;
        tenant.TenantId = message.TenantId;
        tenant.ActorId = source;
        var cancellationToken = context.CancellationToken;
        await db.ProcessOnceAsync(context.MessageId ?? message.EventId, ConsumerName, async () =>
        {
            if (!await db.LockPersonAsync(message.PersonId, cancellationToken))
            {
                logger.LogInformation("Unsubscribe {RecipientId} is for person {PersonId}, who is gone; nothing recorded.", message.AggregateId, message.PersonId);
                return;
            }
            var evidence = new ConsentEvidence
            {
                IpAddress = System.Net.IPAddress.TryParse(message.IpAddress, out _) ? message.IpAddress : null,
                UserAgent = message.UserAgent is { Length: > ConsentEvidence.UserAgentMaxLength } agent ? agent[..ConsentEvidence.UserAgentMaxLength] : message.UserAgent,
            };
            var reason = complaint
                ? $"Spam complaint about campaign '{message.CampaignName}' ({message.CampaignId}), reported by the mailbox provider"
                : $"Unsubscribe link of campaign '{message.CampaignName}' ({message.CampaignId})";
            await db.RecordConsentAsync(message.PersonId, message.Purpose, message.Channel,
                c => c.Withdraw(source,
                    reason.Length > ConsentRules.ReasonMaxLength ? reason[..ConsentRules.ReasonMaxLength] : reason,
                    evidence, source, message.UnsubscribedAt), clock.GetUtcNow().UtcDateTime, cancellationToken);
        }, cancellationToken);
    }

    public static void Register(IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<UnsubscribedConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{ConsumerName}");
}
