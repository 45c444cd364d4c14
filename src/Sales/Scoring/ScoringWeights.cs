using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Scoring;

/// <summary>One part of a lead's score: the feature, the lead's value of it, and the points it adds (negative subtracts).</summary>
public sealed record ScoreContribution(string Feature, string? Value, double Points);

/// <summary>
/// What the rule-based score gives points for. Keys are compared ignoring case. A tenant without settings of its own
/// scores with <see cref="Defaults"/>.
/// </summary>
public sealed record ScoringWeights
{
    /// <summary>Points by industry, as leads name it.</summary>
    public Dictionary<string, double> Industries { get; init; } = [];
    /// <summary>Points by ISO country code.</summary>
    public Dictionary<string, double> Countries { get; init; } = [];
    /// <summary>Company size bands: the points of the largest band whose minimum the employee count reaches.</summary>
    public List<SizeBand> CompanySizes { get; init; } = [];
    /// <summary>Points by job title seniority (<see cref="Seniority"/> levels).</summary>
    public Dictionary<string, double> Seniority { get; init; } = [];
    /// <summary>Points per product the lead is interested in, up to <see cref="MaxProductInterests"/> products.</summary>
    public double PerProductInterest { get; init; }
    public int MaxProductInterests { get; init; }
    /// <summary>Points per engagement (activity kinds and campaign events), before decay.</summary>
    public Dictionary<string, double> Engagement { get; init; } = [];
    /// <summary>An engagement counts half after this many days, a quarter after twice as many.</summary>
    public double EngagementHalfLifeDays { get; init; }

    public sealed record SizeBand(int MinEmployees, double Points);

    public static readonly ScoringWeights Defaults = new()
    {
        Industries = new(StringComparer.OrdinalIgnoreCase)
        {
            ["software"] = 15, ["financial services"] = 12, ["manufacturing"] = 10, ["healthcare"] = 8, ["retail"] = 5, ["education"] = 2,
        },
        Countries = new(StringComparer.OrdinalIgnoreCase) { ["DE"] = 10, ["AT"] = 8, ["CH"] = 8, ["FR"] = 6, ["GB"] = 6, ["US"] = 6, ["NL"] = 5 },
        CompanySizes = [new(1, 2), new(50, 6), new(200, 10), new(1000, 15), new(5000, 12)],
        Seniority = new(StringComparer.OrdinalIgnoreCase)
        {
            [Scoring.Seniority.Executive] = 20, [Scoring.Seniority.VicePresident] = 15, [Scoring.Seniority.Director] = 12,
            [Scoring.Seniority.Manager] = 8, [Scoring.Seniority.Individual] = 3,
        },
        PerProductInterest = 4,
        MaxProductInterests = 3,
        Engagement = new(StringComparer.OrdinalIgnoreCase)
        {
            [EngagementKinds.Meeting] = 15, [EngagementKinds.Call] = 10, [EngagementKinds.Email] = 5, [EngagementKinds.Note] = 2,
            [EngagementKinds.LinkClicked] = 6, [EngagementKinds.EmailOpened] = 3,
        },
        EngagementHalfLifeDays = 30,
    };

    /// <summary>Dictionaries as read from JSON compare exactly; scoring compares ignoring case.</summary>
    public ScoringWeights CaseInsensitive() => this with
    {
        Industries = new(Industries, StringComparer.OrdinalIgnoreCase),
        Countries = new(Countries, StringComparer.OrdinalIgnoreCase),
        Seniority = new(Seniority, StringComparer.OrdinalIgnoreCase),
        Engagement = new(Engagement, StringComparer.OrdinalIgnoreCase),
    };
}

/// <summary>A tenant's scoring settings: its weights, and how many outcomes its model needs before it replaces the rules.</summary>
public sealed class ScoringSettings : UnownedAuditedEntity
{
    /// <summary>Converted plus disqualified leads needed to train a model (and at least <see cref="MinOutcomesPerClass"/> of each).</summary>
    public const int DefaultMinOutcomes = 50;
    public const int MinOutcomesPerClass = 10;

    public ScoringWeights Weights { get; set; } = ScoringWeights.Defaults;
    public int MinOutcomes { get; set; } = DefaultMinOutcomes;
}

public static class EngagementKinds
{
    public const string Call = "call";
    public const string Meeting = "meeting";
    public const string Email = "email";
    public const string Note = "note";
    public const string EmailOpened = "email-opened";
    public const string LinkClicked = "link-clicked";
}

/// <summary>Job titles read as a seniority level: what the title says the person can decide.</summary>
public static class Seniority
{
    public const string Executive = "executive";
    public const string VicePresident = "vice-president";
    public const string Director = "director";
    public const string Manager = "manager";
    public const string Individual = "individual";

    public static readonly IReadOnlyList<string> Levels = [Executive, VicePresident, Director, Manager, Individual];

    private static readonly (string Level, string[] Words)[] Signals =
    [
        (Executive, ["ceo", "cto", "cfo", "coo", "cio", "cmo", "chief", "founder", "owner", "president", "geschäftsführer", "managing director"]),
        (VicePresident, ["vp", "vice president", "svp", "evp"]),
        (Director, ["director", "head of", "leiter", "leiterin"]),
        (Manager, ["manager", "lead", "teamleiter"]),
    ];

    /// <summary>The level a title says, or null without a title; a title with none of the signals is an individual contributor.</summary>
    public static string? Of(string? jobTitle)
    {
        if (string.IsNullOrWhiteSpace(jobTitle))
        {
            return null;
        }
        var title = $" {System.Text.RegularExpressions.Regex.Replace(jobTitle.ToLowerInvariant(), @"[^\p{L}\p{Nd}]+", " ").Trim()} ";
        foreach (var (level, words) in Signals)
        {
            if (words.Any(word => title.Contains(word.Length <= 3 ? $" {word} " : word, StringComparison.Ordinal)))
            {
                return level;
            }
        }
        return Individual;
    }
}
