using System.Text.Json;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace CrmPlatform.Marketing.Journeys;

/// <summary>
/// <c>{ "kind": "send-email", "templateId": "…", "purpose": "newsletter", "from": "Acme &lt;news@acme.example&gt;" }</c>:
/// sends the template to the person through the campaign machinery rather than a sender of its own, so a journey email
/// passes the same fail-closed consent gate, is rendered and personalised the same way, carries the same one-click
/// unsubscribe and tracking links, and is sent at least once per Message-ID by the same durable <see cref="CampaignSender"/>.
/// <para>
/// The step owns an automated campaign (<see cref="Campaign.JourneyId"/>, created on first use with an id derived from
/// the journey, the step and its settings) that stays sending. Running the step adds the person as a recipient whose id
/// is derived from the step execution, in the step's transaction: a retried step adds the same row or nothing, so it
/// never sends twice. The gate is asked now too, so the path says at once when the person may not be emailed; the
/// sender asks again when it sends (consent may be withdrawn in between).
/// </para>
/// </summary>
public sealed class SendEmailAction : IJourneyAction
{
    public const string KindName = "send-email";

    public sealed record Settings(Guid TemplateId, string Purpose, string From);

    public string Kind => KindName;

    public object? Parse(JsonElement step, string path, FieldErrors errors)
    {
        var before = errors.Count;
        var template = JourneyDefinition.Text(step, "templateId");
        var templateId = Guid.Empty;
        errors.When(template is null || !Guid.TryParse(template, out templateId), $"{path}.templateId", "templateId is an email template's id (a UUID).");
        var purpose = JourneyDefinition.Text(step, "purpose");
        errors.When(purpose is null || !ConsentValues.Purposes.Contains(purpose), $"{path}.purpose",
            $"purpose (the consent each person must have given on email) is one of: {string.Join(", ", ConsentValues.Purposes)}.");
        var from = JourneyDefinition.Text(step, "from")?.Trim();
        errors.When(from is not { Length: <= Suppression.EmailMaxLength } || !MailboxAddress.TryParse(from, out _), $"{path}.from",
            "from is an address, optionally with a name: \"Acme <news@acme.example>\".");
        return errors.Count == before ? new Settings(templateId, purpose!, from!) : null;
    }

    public async Task<(string Outcome, string? Detail)> RunAsync(JourneyActionContext context, object settings, CancellationToken cancellationToken)
    {
        var email = (Settings)settings;
        var db = context.Db;
        var enrolment = context.Enrolment;
        if (!await db.EmailTemplates.AnyAsync(t => t.Id == email.TemplateId, cancellationToken))
        {
            return (JourneyEmailOutcomes.Skipped, $"template-deleted: no template '{email.TemplateId}'");
        }
        var campaign = await CampaignOfAsync(context, email, cancellationToken);
        if (campaign.Status != CampaignStatuses.Sending)
        {
            return (JourneyEmailOutcomes.Skipped, $"campaign-{campaign.Status}: campaign {campaign.Id}");
        }
        var address = await db.DirectoryContacts.AsNoTracking().Where(c => c.Id == enrolment.PersonId).Select(c => c.Email).SingleOrDefaultAsync(cancellationToken);
        var recipient = new CampaignRecipient
        {
            Id = RecipientId(context.ExecutionId), CampaignId = campaign.Id, PersonId = enrolment.PersonId, Email = address,
            EnrolmentId = enrolment.Id, CreatedAt = context.Now,
        };
        var decision = (await ConsentGate.DecideAsync(db, email.Purpose, [recipient], context.Now, cancellationToken))[recipient.Id];
        if (!decision.Allowed)
        {
            recipient.Status = RecipientStatuses.Skipped;
            recipient.SkipReason = decision.Reason;
        }
        db.CampaignRecipients.Add(recipient);
        return decision.Allowed
            ? (JourneyEmailOutcomes.Queued, $"campaign {campaign.Id}")
            : (JourneyEmailOutcomes.Skipped, $"{decision.Reason}: campaign {campaign.Id}");
    }

    /// <summary>The recipient row a send-email step execution writes (so the path can show what became of the email).</summary>
    public static Guid RecipientId(Guid executionId) => DerivedIds.From(executionId, "request", 0);

    /// <summary>The step's campaign, made on first use (serialized, since two runners may reach the step at once).</summary>
    private static async Task<Campaign> CampaignOfAsync(JourneyActionContext context, Settings email, CancellationToken cancellationToken)
    {
        var db = context.Db;
        var id = DerivedIds.From("journey-campaign", context.Journey.Id, context.StepId, email.TemplateId, email.Purpose, email.From);
        await db.LockForTransactionAsync("journey-campaign:" + id, cancellationToken);
        var campaign = await db.Campaigns.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (campaign is not null)
        {
            return campaign;
        }
        var name = $"{context.Journey.Name} · {context.StepId}";
        campaign = new Campaign
        {
            Id = id,
            Name = name.Length > Campaign.NameMaxLength ? name[..Campaign.NameMaxLength] : name,
            TemplateId = email.TemplateId,
            // No segment: people arrive one at a time from the journey.
            SegmentId = Guid.Empty,
            Purpose = email.Purpose,
            From = email.From,
            Status = CampaignStatuses.Sending,
            ScheduledAt = context.Now,
            StartedAt = context.Now,
            JourneyId = context.Journey.Id,
        };
        db.Campaigns.Add(campaign);
        return campaign;
    }

    /// <summary>
    /// The send-email steps' templates that are not the tenant's, by the path of the step's <c>templateId</c> (the
    /// definition was validated, so every send-email step has a template id).
    /// </summary>
    public static async Task<Dictionary<string, string[]>> UnknownTemplatesAsync(MarketingDbContext db, JsonElement definition, CancellationToken cancellationToken)
    {
        var wanted = definition.GetProperty("steps").EnumerateArray()
            .Select((step, i) => (Step: step, Path: $"definition.steps[{i}].templateId"))
            .Where(s => JourneyDefinition.Text(s.Step, "kind") == KindName)
            .Select(s => (s.Path, Id: Guid.Parse(JourneyDefinition.Text(s.Step, "templateId")!)))
            .ToList();
        if (wanted.Count == 0)
        {
            return [];
        }
        var ids = wanted.Select(w => w.Id).Distinct().ToList();
        var known = (await db.EmailTemplates.AsNoTracking().Where(t => ids.Contains(t.Id)).Select(t => t.Id).ToListAsync(cancellationToken)).ToHashSet();
        return wanted.Where(w => !known.Contains(w.Id)).ToDictionary(w => w.Path, w => new[] { $"No email template '{w.Id}'." });
    }
}

/// <summary>What a send-email step's path says: recorded when the step runs, then as the sender got on with it.</summary>
public static class JourneyEmailOutcomes
{
    /// <summary>Waiting for the campaign sender.</summary>
    public const string Queued = "queued";
    public const string Sent = "sent";
    /// <summary>The consent gate said no (the detail has the reason), or the template or campaign is gone.</summary>
    public const string Skipped = "skipped";
    /// <summary>The SMTP server refused the address, or the template did not render.</summary>
    public const string Failed = "failed";

    public static string Of(string recipientStatus) => recipientStatus switch
    {
        RecipientStatuses.Sent => Sent,
        RecipientStatuses.Skipped => Skipped,
        RecipientStatuses.Failed => Failed,
        _ => Queued,
    };
}
