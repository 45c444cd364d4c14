using PhoneNumbers;

namespace CrmPlatform.Contacts.Model;

/// <summary>
/// Phone numbers in E.164, the one form that compares, dials and deduplicates reliably. Numbers written without a
/// country code (<c>030 1234567</c>) need a region to be read in (<c>DE</c>).
/// </summary>
public static class E164
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public static bool IsKnownRegion(string region) => Util.GetSupportedRegions().Contains(region.ToUpperInvariant());

    /// <summary>The E.164 form of a valid number (libphonenumber's numbering plans), or false.</summary>
    public static bool TryNormalize(string input, string? defaultRegion, out string e164)
    {
        e164 = "";
        try
        {
            var number = Util.Parse(input.Trim(), defaultRegion?.ToUpperInvariant());
            if (!Util.IsValidNumber(number))
            {
                return false;
            }
            e164 = Util.Format(number, PhoneNumberFormat.E164);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }
}
