using System.Text.RegularExpressions;

namespace CrmPlatform.Sales.Catalog;

/// <summary>
/// ISO 4217 codes and their minor units (how many decimals an amount of the currency has). .NET knows minor units only
/// per culture, and the services run with invariant globalization, so the exceptions to two decimals are listed here.
/// </summary>
public static partial class Currencies
{
    private static readonly Dictionary<string, int> NotTwoDecimals = new(StringComparer.Ordinal)
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0, ["PYG"] = 0,
        ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
        ["CLF"] = 4, ["UYW"] = 4,
    };

    /// <summary>The most minor units any currency has: amounts are stored with this many decimals.</summary>
    public const int MaxMinorUnits = 4;

    public static bool IsCode(string? value) => value is not null && Code().IsMatch(value);

    public static int MinorUnits(string currency) => NotTwoDecimals.GetValueOrDefault(currency, 2);

    /// <summary>
    /// Half away from zero (0.125 → 0.13), the rounding of commercial documents and of most tax authorities, not .NET's
    /// default banker's rounding (0.125 → 0.12), which a customer checking the quote by hand would call a mistake.
    /// </summary>
    public static decimal Round(decimal amount, string currency) =>
        decimal.Round(amount, MinorUnits(currency), MidpointRounding.AwayFromZero);

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex Code();
}
