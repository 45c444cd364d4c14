using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.DoubleOptIn;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Contacts.WebForms;

/// <summary>
/// Contacts' part of a Marketing web form submission: the person with the submitted address (found by any of their
/// addresses, as everywhere in Contacts), else a new one; a found person only gets what they lack (a name, a job title,
/// a phone), never loses what they have. Each ticked consent is recorded with the form's wording as evidence: granted at
/// once, or, when the form asks for double opt-in, pending with a confirmation email (email consents only; there is no
/// link to confirm a phone). Once per message (inbox); a submission published again finds the person the first made.
/// </summary>
public sealed class FormSubmittedConsumer(
    ContactsDbContext db, TenantContext tenant, TimeProvider clock, IOptions<DoubleOptInSettings> doubleOptIn, IServiceProvider services,
    ILogger<FormSubmittedConsumer> logger) : IConsumer<FormSubmitted>
{
    public const string ConsumerName = "web-form-submissions";
    private const string Actor = "web-form";

    public async Task Consume(ConsumeContext<FormSubmitted> context)
    {
        var message = context.Message;
        var form = message.Submission;
        if (!IsEmail(form.Email))
        {
            // Contacts keys people by address; a submission without one is for Sales (a lead by phone) only.
            logger.LogInformation("Form submission {SubmissionId} gives no valid email; no person made.", message.AggregateId);
            return;
        }
        tenant.TenantId = message.TenantId;
        tenant.ActorId = Actor;
        var cancellationToken = context.CancellationToken;
        var queuedMail = false;
        await db.ProcessOnceAsync(context.MessageId ?? message.EventId, ConsumerName, async () =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var email = EmailAddress.Normalize(form.Email!);
            var person = await db.PersonWithEmailAsync(email, cancellationToken);
            if (person is { ErasedAt: not null } or { ProcessingRestrictedAt: not null })
            {
                logger.LogInformation("Form submission {SubmissionId} is from person {PersonId}, who restricted or erased their data; nothing recorded.",
                    message.AggregateId, person.Id);
                return;
            }

            if (person is null)
            {
                person = new Person { FirstName = Name(form.FirstName) ?? "", LastName = Name(form.LastName) ?? email };
                person.SetEmails([new EmailAddress(email, ContactPointType.Work, Primary: true)]);
                Fill(person, form);
                db.People.Add(person);
                db.Stamp();
                db.AddEvent(person.Created());
            }
            else
            {
                await db.LockPersonAsync(person.Id, cancellationToken);
                if (Fill(person, form))
                {
                    db.Stamp();
                    db.AddEvent(person.Updated());
                }
            }

            foreach (var consent in message.Consents ?? [])
            {
                queuedMail |= await RecordAsync(person, consent, message, now, cancellationToken);
            }
        }, cancellationToken);
        if (queuedMail)
        {
            EmailOutbox.WakeSender(services);
        }
    }

    /// <returns>Whether a confirmation email was queued.</returns>
    private async Task<bool> RecordAsync(Person person, FormConsentGiven consent, FormSubmitted message, DateTime now, CancellationToken cancellationToken)
    {
        if (!ConsentValues.Purposes.Contains(consent.Purpose) || !ConsentValues.Channels.Contains(consent.Channel))
        {
            logger.LogWarning("Form {FormId} sent consent {Purpose}/{Channel}, which Contacts does not know; not recorded.", message.FormId, consent.Purpose, consent.Channel);
            return false;
        }
        var evidence = new ConsentEvidence
        {
            FormId = message.FormId.ToString(),
            FormUrl = Clip(message.PageUrl, ConsentEvidence.FormUrlMaxLength) is { } url && Uri.TryCreate(url, UriKind.Absolute, out var page)
                && (page.Scheme == Uri.UriSchemeHttps || page.Scheme == Uri.UriSchemeHttp) ? url : null,
            IpAddress = System.Net.IPAddress.TryParse(message.IpAddress, out _) ? message.IpAddress : null,
            UserAgent = Clip(message.UserAgent, ConsentEvidence.UserAgentMaxLength),
            Wording = Clip(consent.Text, ConsentEvidence.WordingMaxLength),
        };
        if (message.DoubleOptIn && consent.Channel == "email")
        {
            if (person.DoNotEmail)
            {
                logger.LogInformation("Person {PersonId} asked not to be emailed; no double opt-in for form {FormId}.", person.Id, message.FormId);
                return false;
            }
            var requested = await db.RequestAsync(person, consent.Purpose, consent.Channel, ConsentSources.WebForm, null, evidence,
                doubleOptIn.Value, now, cancellationToken);
            return requested is not null;
        }
        await db.RecordConsentAsync(person.Id, consent.Purpose, consent.Channel,
            c => c.Grant(ConsentSources.WebForm, now, null, evidence, Actor, now), now, cancellationToken);
        return false;
    }

    /// <returns>Whether anything was filled in.</returns>
    private static bool Fill(Person person, FormSubmission form)
    {
        var changed = false;
        if (person.FirstName.Length == 0 && Name(form.FirstName) is { } first)
        {
            (person.FirstName, changed) = (first, true);
        }
        if (Name(form.LastName) is { } last && person.LastName == person.Email)
        {
            // A person made from an address alone carries the address as last name until a real one comes.
            (person.LastName, changed) = (last, true);
        }
        if (person.JobTitle is null && Name(form.JobTitle) is { } title)
        {
            (person.JobTitle, changed) = (title, true);
        }
        if (person.Phones.Count == 0 && !string.IsNullOrWhiteSpace(form.Phone)
            && E164.TryNormalize(form.Phone, form.Country is { } country && Countries.TryNormalize(country, out var region) ? region : null, out var phone))
        {
            person.SetPhones([new PhoneNumber(phone, ContactPointType.Work, Primary: true)]);
            changed = true;
        }
        return changed;
    }

    private static bool IsEmail(string? value) => new FieldErrors().Required("email", value, EmailAddress.MaxLength).Email("email", value).IsValid;

    private static string? Name(string? value) => Clip(value, Person.NameMaxLength);

    private static string? Clip(string? value, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim() is var trimmed && trimmed.Length > maxLength ? trimmed[..maxLength] : value.Trim();

    public static void Register(IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<FormSubmittedConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{ConsumerName}");
}
