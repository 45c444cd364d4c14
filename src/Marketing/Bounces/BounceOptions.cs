using System.ComponentModel.DataAnnotations;
using CrmPlatform.Smtp;

namespace CrmPlatform.Marketing.Bounces;

/// <summary>
/// <c>Marketing:Bounces</c>: the envelope sender of campaign and journey emails and the SMTP listener that takes the
/// delivery status notifications (DSNs) mail systems send back to it, and the spam complaints (ARF) of the feedback
/// loops registered for <c>bounces@domain</c>. Off without a <see cref="Domain"/>: the envelope sender is then the
/// campaign's From, as before, bounces reach Marketing only when refused at send time or reported through the API,
/// and complaints only as suppressions added by hand.
/// </summary>
public sealed class BounceOptions : SmtpListenerOptions
{
    public const string Section = "Marketing:Bounces";

    /// <summary>
    /// The domain of the envelope senders, whose MX points at this listener (e.g. <c>bounces.crm.example.com</c>). A
    /// domain that does not resolve would make receiving servers refuse the campaign for its unverifiable sender, hence
    /// no default.
    /// </summary>
    [RegularExpression(@"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")]
    public string? Domain { get; set; }

    /// <summary>
    /// The local part before the <c>+token</c>. At most 11 characters: with the plus and the token (52) a local part
    /// stays within the 64 SMTP allows.
    /// </summary>
    [RegularExpression("^[a-z0-9-]{1,11}$")]
    public string LocalPart { get; set; } = "bounces";

    public bool Enabled => !string.IsNullOrWhiteSpace(Domain);
}
