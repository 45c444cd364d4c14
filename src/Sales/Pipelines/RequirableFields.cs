using CrmPlatform.Sales.Model;

namespace CrmPlatform.Sales.Pipelines;

/// <summary>
/// The opportunity fields a stage can require before an opportunity enters it, by their API names, and what counts as
/// given: the API always has an amount, so requiring one means an amount above zero.
/// </summary>
public static class RequirableFields
{
    private static readonly Dictionary<string, (Func<Opportunity, bool> IsGiven, string Description)> Fields = new()
    {
        ["amount"] = (o => o.Amount > 0, "an amount above 0"),
        ["expectedCloseDate"] = (o => o.ExpectedCloseDate is not null, "an expected close date"),
    };

    public static IEnumerable<string> Names => Fields.Keys;

    public static bool IsKnown(string field) => Fields.ContainsKey(field);

    public static bool IsGiven(string field, Opportunity opportunity) => Fields[field].IsGiven(opportunity);

    public static string Describe(string field) => Fields[field].Description;
}
