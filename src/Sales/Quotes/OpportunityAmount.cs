using CrmPlatform.Sales.Model;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Sales.Quotes;

/// <summary>Whether an accepted quote's total can become its opportunity's amount.</summary>
internal static class OpportunityAmount
{
    /// <summary>The opportunity keeps amounts as numeric(18, 2).</summary>
    private const decimal Limit = 10_000_000_000_000_000m;

    public static ProblemHttpResult? Refusal(Opportunity opportunity, Quote quote)
    {
        var why = opportunity.Currency != quote.Currency
            ? $"The opportunity is in {opportunity.Currency} and the quote in {quote.Currency}; an amount is never converted."
            : decimal.Round(quote.Total, 2) != quote.Total || quote.Total >= Limit
                ? $"The opportunity's amount has two decimals and at most 16 digits before them; {quote.Total} does not fit."
                : null;
        return why is null ? null : ApiProblems.Unprocessable(
            $"The quote cannot set the opportunity's amount: {why} Accept it without setOpportunityAmount.",
            new Dictionary<string, string[]> { ["setOpportunityAmount"] = [why] });
    }
}
