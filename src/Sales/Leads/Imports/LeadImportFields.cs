using System.Globalization;
using CrmPlatform.Persistence.Imports;

namespace CrmPlatform.Sales.Leads.Imports;

/// <summary>
/// The lead fields a file column can fill, and how a row of text becomes the same <see cref="LeadRequest"/> the API
/// reads, so an imported lead passes exactly the API's checks. <c>productInterests</c> are separated by <c>;</c> or
/// <c>,</c>; <c>sourceReference</c> names the row's lead in the system it comes from (a re-import finds it again).
/// </summary>
public static class LeadImportFields
{
    public const string SourceReference = "sourceReference";

    public static readonly IReadOnlyList<string> All =
    [
        "firstName", "lastName", "email", "phone", "jobTitle", "company", "companyDomain", "industry", "employeeCount",
        "country", "region", "postalCode", "city", "campaignId", "productInterests", "description", SourceReference,
    ];

    /// <summary>Columns named like a field (any case, ignoring spaces, <c>_</c> and <c>-</c>) map to it.</summary>
    public static List<ColumnMapping> Guess(IEnumerable<string> columns) =>
        [.. ImportFiles.GuessMapping(columns, All).Select(m => new ColumnMapping(m.Key, m.Value))];

    /// <summary>The request a row makes, or the problems of its text that the request cannot show (a number or id that is not one).</summary>
    public static (LeadRequest? Request, string? Problem) ToRequest(
        IReadOnlyDictionary<string, string?> row, IReadOnlyList<ColumnMapping> mapping, Guid? campaignId, string reference)
    {
        var fields = new Dictionary<string, string>();
        foreach (var (column, field) in mapping)
        {
            if (row.TryGetValue(column, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                fields[field] = value.Trim();
            }
        }
        string? Text(string field) => fields.GetValueOrDefault(field);
        var problems = new List<string>();
        int? employees = null;
        if (Text("employeeCount") is { } count)
        {
            if (int.TryParse(count, NumberStyles.Integer | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var parsed))
            {
                employees = parsed;
            }
            else
            {
                problems.Add("employeeCount: not a whole number.");
            }
        }
        if (Text("campaignId") is { } campaign)
        {
            if (Guid.TryParse(campaign, out var parsed))
            {
                campaignId = parsed;
            }
            else
            {
                problems.Add("campaignId: not an id.");
            }
        }
        if (problems.Count > 0)
        {
            return (null, string.Join(" ", problems));
        }
        var interests = Text("productInterests")?.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => (string?)p).ToList();
        return (new LeadRequest(Text("firstName"), Text("lastName"), Text("email"), Text("phone"), Text("jobTitle"), Text("company"),
            Text("companyDomain"), Text("industry"), employees, Text("country"), Text("region"), Text("postalCode"), Text("city"),
            LeadSources.Import, campaignId, Text(SourceReference) ?? reference, interests, Text("description")), null);
    }
}
