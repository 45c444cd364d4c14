namespace CrmPlatform.Contacts.Model;

/// <summary>
/// The ISO 3166-1 alpha-2 country codes (the 249 officially assigned ones). Kept here rather than read from the
/// runtime's culture data because the services run with invariant globalization.
/// </summary>
public static class Countries
{
    private static readonly HashSet<string> Codes = [.. (
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ " +
        "BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR " +
        "CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
        "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU " +
        "ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ " +
        "LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ " +
        "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF " +
        "PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI " +
        "SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR " +
        "TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
    ).Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>
    /// Country names as address lists write them (German and English, for the countries those lists are mostly
    /// about), compared like column names; the API itself takes codes only. Null for anything else.
    /// </summary>
    public static string? CodeOfName(string name) => Names.GetValueOrDefault(Persistence.Imports.ImportFiles.HeaderKey(name));

    private static readonly Dictionary<string, string> Names = new[]
    {
        ("DE", "deutschland germany brd bundesrepublikdeutschland"), ("AT", "oesterreich austria"), ("CH", "schweiz switzerland suisse svizzera"),
        ("LI", "liechtenstein"), ("LU", "luxemburg luxembourg"), ("BE", "belgien belgium"), ("NL", "niederlande netherlands holland"),
        ("FR", "frankreich france"), ("IT", "italien italy italia"), ("ES", "spanien spain espana"), ("PL", "polen poland"),
        ("CZ", "tschechien czechia czechrepublic"), ("DK", "daenemark denmark"), ("SE", "schweden sweden"), ("NO", "norwegen norway"),
        ("GB", "grossbritannien vereinigteskoenigreich unitedkingdom greatbritain england uk"), ("IE", "irland ireland"),
        ("US", "usa vereinigtestaaten unitedstates unitedstatesofamerica"), ("CA", "kanada canada"),
    }.SelectMany(c => c.Item2.Split(' ').Select(name => (name, code: c.Item1))).ToDictionary(n => n.name, n => n.code);

    public static bool TryNormalize(string input, out string code)
    {
        code = input.Trim().ToUpperInvariant();
        return Codes.Contains(code);
    }
}
