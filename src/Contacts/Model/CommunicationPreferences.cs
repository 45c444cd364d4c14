namespace CrmPlatform.Contacts.Model;

/// <summary>How a person prefers to be contacted.</summary>
public enum ContactChannel
{
    Email,
    Phone,
    Sms,
    Mail,
}

/// <summary>
/// A person's wishes about being contacted: a preferred channel and do-not-call / do-not-email flags. These are
/// preferences recorded by the team, not marketing consent (which is recorded, with its evidence, separately).
/// </summary>
public sealed record CommunicationPreferences(ContactChannel? PreferredChannel, bool DoNotCall, bool DoNotEmail)
{
    public static readonly CommunicationPreferences None = new(null, false, false);

    /// <summary>Why these preferences contradict themselves or the person's contact points; null when they do not.</summary>
    public string? Contradiction(bool hasPhone, bool hasAddress) => PreferredChannel switch
    {
        ContactChannel.Email when DoNotEmail => "email cannot be the preferred channel of someone who is not to be emailed.",
        ContactChannel.Phone or ContactChannel.Sms when DoNotCall => "phone and sms cannot be the preferred channel of someone who is not to be called.",
        ContactChannel.Phone or ContactChannel.Sms when !hasPhone => "phone and sms need a phone number to be the preferred channel.",
        ContactChannel.Mail when !hasAddress => "mail needs a postal address to be the preferred channel.",
        _ => null,
    };
}
