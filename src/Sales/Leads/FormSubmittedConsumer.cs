using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using MassTransit;

namespace CrmPlatform.Sales.Leads;

/// <summary>
/// Captures a lead from each web form submission that asks for one (<see cref="FormSubmitted.CreateLead"/>): source
/// <c>web-form</c>, the submission's id as reference, the form's campaign. Exactly once: the inbox drops a redelivery,
/// and the source reference a submission published again under a new message id. A submission with no way to reach
/// its sender (no valid email or phone) makes no lead.
/// </summary>
public sealed class FormSubmittedConsumer(SalesDbContext db, TenantContext tenant, ILogger<FormSubmittedConsumer> logger) : IConsumer<FormSubmitted>
{
    public const string ConsumerName = "web-form-leads";

    public async Task Consume(ConsumeContext<FormSubmitted> context)
    {
        var message = context.Message;
        if (!message.CreateLead)
        {
            return;
        }
        tenant.TenantId = message.TenantId;
        var reference = message.AggregateId.ToString();
        await db.ProcessOnceAsync(context.MessageId ?? message.EventId, ConsumerName, async () =>
        {
            if (await LeadCapture.FindAsync(db, LeadSources.WebForm, reference, context.CancellationToken) is not null)
            {
                return;
            }
            var form = message.Submission;
            var request = LeadCapture.Lenient(new LeadRequest(form.FirstName, form.LastName, form.Email, form.Phone, form.JobTitle,
                form.Company, null, null, null, form.Country, null, null, null, LeadSources.WebForm, message.CampaignId, reference,
                string.IsNullOrWhiteSpace(form.ProductInterest) ? null : [form.ProductInterest], form.Message));
            if (request is null)
            {
                logger.LogWarning("Form submission {SubmissionId} of form {FormId} gives no valid email or phone; no lead captured.", message.AggregateId, message.FormId);
                return;
            }
            await LeadCapture.AddAsync(db, request, context.CancellationToken);
        }, context.CancellationToken);
    }
}
