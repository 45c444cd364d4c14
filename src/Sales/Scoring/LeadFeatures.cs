using CrmPlatform.Sales.Leads;

namespace CrmPlatform.Sales.Scoring;

/// <summary>What scoring reads of a lead; the bulk scorer projects just these columns.</summary>
public sealed record LeadFacts(Guid Id, string? Industry, string? Country, int? EmployeeCount, string? JobTitle, List<string> ProductInterests, string Source)
{
    public static LeadFacts From(Lead lead) =>
        new(lead.Id, lead.Industry, lead.Country, lead.EmployeeCount, lead.JobTitle, lead.ProductInterests, lead.Source);
}

/// <summary>
/// The model's inputs: one slot per industry, country and source seen in training (others are all zero), one per
/// seniority level, and three numbers (company size as log10 of employees + 1, product interests up to five, engagement
/// in tens of points). A linear model over them makes each feature's contribution its weights times its slots.
/// </summary>
public sealed record LeadFeatureSpace(List<string> Industries, List<string> Countries, List<string> Sources)
{
    public const string Industry = "industry";
    public const string Country = "country";
    public const string Source = "source";
    public const string SeniorityFeature = "seniority";
    public const string CompanySize = "company size";
    public const string ProductInterests = "product interests";
    public const string Engagement = "engagement";
    public const string Baseline = "baseline";

    /// <summary>Categories seen fewer times than this in training share the all-zero slot.</summary>
    private const int MinCategoryCount = 5;

    public int Length => Industries.Count + Countries.Count + Sources.Count + Seniority.Levels.Count + 3;

    /// <summary>The feature each slot belongs to, in slot order.</summary>
    public IReadOnlyList<string> SlotFeatures() =>
    [
        .. Industries.Select(_ => Industry), .. Countries.Select(_ => Country), .. Sources.Select(_ => Source),
        .. Seniority.Levels.Select(_ => SeniorityFeature), CompanySize, ProductInterests, Engagement,
    ];

    public static LeadFeatureSpace Learn(IReadOnlyCollection<LeadFacts> leads)
    {
        static List<string> Frequent(IEnumerable<string?> values) => [.. values.Where(v => !string.IsNullOrWhiteSpace(v))
            .Select(v => v!.Trim().ToLowerInvariant()).GroupBy(v => v).Where(g => g.Count() >= MinCategoryCount).Select(g => g.Key).Order(StringComparer.Ordinal)];
        return new(Frequent(leads.Select(l => l.Industry)), Frequent(leads.Select(l => l.Country)), Frequent(leads.Select(l => l.Source)));
    }

    public float[] Featurize(LeadFacts lead, double engagement)
    {
        var slots = new float[Length];
        var offset = 0;
        void OneHot(List<string> vocabulary, string? value)
        {
            var index = value is null ? -1 : vocabulary.IndexOf(value.Trim().ToLowerInvariant());
            if (index >= 0)
            {
                slots[offset + index] = 1;
            }
            offset += vocabulary.Count;
        }
        OneHot(Industries, lead.Industry);
        OneHot(Countries, lead.Country);
        OneHot(Sources, lead.Source);
        var level = Seniority.Of(lead.JobTitle);
        for (var i = 0; i < Seniority.Levels.Count; i++)
        {
            slots[offset + i] = Seniority.Levels[i] == level ? 1 : 0;
        }
        offset += Seniority.Levels.Count;
        slots[offset++] = lead.EmployeeCount is > 0 ? (float)Math.Log10(lead.EmployeeCount.Value + 1) : 0;
        slots[offset++] = Math.Min(lead.ProductInterests.Count, 5);
        slots[offset] = (float)(engagement / 10);
        return slots;
    }

    /// <summary>The lead's value of a feature, as the explanation shows it.</summary>
    public static string? ValueOf(string feature, LeadFacts lead, double engagement) => feature switch
    {
        Industry => lead.Industry,
        Country => lead.Country,
        Source => lead.Source,
        SeniorityFeature => Seniority.Of(lead.JobTitle),
        CompanySize => lead.EmployeeCount?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ProductInterests => string.Join(", ", lead.ProductInterests),
        Engagement => engagement.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}
