using System.Globalization;
using CrmPlatform.Contracts.Contacts.V1;

namespace CrmPlatform.Persistence.Consents;

/// <summary>The current consent of one person for one purpose on one channel, wherever it is kept.</summary>
public interface IConsentState
{
    string Status { get; }
    DateTime? ValidFrom { get; }
    DateTime? ValidUntil { get; }
    /// <summary>When the current status was recorded (for a withdrawal: when it was withdrawn).</summary>
    DateTime ChangedAt { get; }
}

/// <summary>Why a person may or may not be contacted; the words APIs answer with.</summary>
public static class ContactReasons
{
    public const string Granted = "granted";
    public const string Withdrawn = "withdrawn";
    public const string Pending = "pending";
    public const string Expired = "expired";
    public const string NotYetValid = "not-yet-valid";
    public const string NoRecord = "no-record";
}

/// <param name="Since">withdrawn: when; not yet valid: from when it will count; granted: from when it counted.</param>
/// <param name="Until">granted: until when (null = open-ended); expired: when it ended.</param>
public sealed record ContactDecision(bool Allowed, string Reason, DateTime? Since, DateTime? Until, string Detail);

/// <summary>
/// The one rule for "may we contact this person for this purpose on this channel": only a granted consent inside its
/// validity window allows it. No record, a withdrawal, a grant pending its double opt-in confirmation, an expired or a
/// not-yet-valid grant, or a status this code does not know all mean no. Contacts, Marketing, Sales and Service all decide with this.
/// </summary>
public static class ContactRule
{
    public static ContactDecision Decide(IConsentState? consent, DateTime now)
    {
        if (consent is null)
        {
            return new(false, ContactReasons.NoRecord, null, null, "No consent has been recorded.");
        }
        if (consent.Status == ConsentValues.Withdrawn)
        {
            return new(false, ContactReasons.Withdrawn, consent.ChangedAt, null, $"Withdrawn at {Format(consent.ChangedAt)}.");
        }
        if (consent.Status == ConsentValues.Pending)
        {
            return new(false, ContactReasons.Pending, consent.ChangedAt, null, $"Awaiting the person's double opt-in confirmation since {Format(consent.ChangedAt)}.");
        }
        if (consent.Status != ConsentValues.Granted)
        {
            return new(false, ContactReasons.NoRecord, null, null, $"The consent's status '{consent.Status}' is not one this service knows.");
        }
        if (consent.ValidFrom is { } from && from > now)
        {
            return new(false, ContactReasons.NotYetValid, from, consent.ValidUntil, $"Granted, but valid only from {Format(from)}.");
        }
        if (consent.ValidUntil is { } until && until <= now)
        {
            return new(false, ContactReasons.Expired, consent.ValidFrom, until, $"Expired at {Format(until)}.");
        }
        return new(true, ContactReasons.Granted, consent.ValidFrom, consent.ValidUntil,
            consent.ValidUntil is { } end ? $"Granted until {Format(end)}." : "Granted, with no end date.");
    }

    private static string Format(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
