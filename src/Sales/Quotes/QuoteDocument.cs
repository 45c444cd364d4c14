using System.Globalization;
using System.Text;
using CrmPlatform.Sales.Catalog;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Quotes;

/// <summary>
/// <c>GET /api/v1/quotes/{id}/document</c>: the quote as a printable HTML page; the browser's print dialog makes the
/// PDF (a server-side PDF would need fonts shipped with the service). Every text a person typed is encoded.
/// </summary>
public static class QuoteDocument
{
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> Render(
        Guid id, SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var found = await (
                from q in QuotesApi.Visible(db).AsNoTracking()
                join o in db.Opportunities.AsNoTracking() on q.OpportunityId equals o.Id
                join c in db.DirectoryContacts.AsNoTracking() on o.CustomerId equals c.Id into customers
                from c in customers.DefaultIfEmpty()
                where q.Id == id
                select new { Quote = q, Opportunity = o.Name, Customer = c == null ? null : c.DisplayName })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return ApiProblems.NotFound("quote", id);
        }
        var quote = found.Quote;
        var title = $"Quote {quote.Number} (revision {quote.Revision})";
        return HtmlPage.Render(http, StatusCodes.Status200OK, title,
            Body(quote, title, found.Opportunity, found.Customer, QuotesApi.Today(clock)), Style);
    }

    internal static string Body(Quote quote, string title, string opportunity, string? customer, DateOnly today)
    {
        string Money(decimal amount) => amount.ToString("N" + Currencies.MinorUnits(quote.Currency), CultureInfo.InvariantCulture);
        static string Number(decimal value) => value.ToString("0.###", CultureInfo.InvariantCulture);
        static string E(string? text) => HtmlPage.Encode(text ?? "");

        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <main>
            <h1>{E(title)}</h1>
            <dl>
              <dt>Customer</dt><dd>{E(customer ?? "—")}</dd>
              <dt>Opportunity</dt><dd>{E(opportunity)}</dd>
              <dt>Status</dt><dd>{Quote.Name(quote.StatusOn(today))}</dd>
              <dt>Valid until</dt><dd>{quote.ValidUntil:yyyy-MM-dd}</dd>
              <dt>Currency</dt><dd>{E(quote.Currency)}</dd>
            </dl>
            <table>
            <thead><tr><th>#</th><th>SKU</th><th>Description</th><th class="n">Quantity</th><th class="n">Unit price</th><th class="n">Discount %</th><th class="n">Tax %</th><th class="n">Net</th></tr></thead>
            <tbody>

            """);
        foreach (var line in quote.Lines.OrderBy(l => l.Position))
        {
            html.Append(CultureInfo.InvariantCulture,
                $"""<tr><td>{line.Position}</td><td>{E(line.Sku)}</td><td>{E(line.Description)}</td><td class="n">{Number(line.Quantity)}</td><td class="n">{line.UnitPrice.ToString("0.00##", CultureInfo.InvariantCulture)}</td><td class="n">{Number(line.DiscountPercent)}</td><td class="n">{Number(line.TaxRate)}</td><td class="n">{Money(line.NetAmount)}</td></tr>""");
            html.Append('\n');
        }
        html.Append(CultureInfo.InvariantCulture, $"""
            </tbody>
            <tfoot>
            <tr class="subtotal"><td colspan="7">Subtotal</td><td class="n">{Money(quote.Subtotal)}</td></tr>

            """);
        foreach (var tax in quote.Taxes)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"""<tr class="tax"><td colspan="7">Tax {Number(tax.TaxRate)} % on {Money(tax.NetAmount)}</td><td class="n">{Money(tax.TaxAmount)}</td></tr>""");
            html.Append('\n');
        }
        html.Append(CultureInfo.InvariantCulture, $"""
            <tr class="total"><td colspan="7">Total {E(quote.Currency)}</td><td class="n">{Money(quote.Total)}</td></tr>
            </tfoot>
            </table>
            """);
        if (quote.Notes is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<section class="notes"><h2>Notes</h2><p>{E(quote.Notes)}</p></section>""");
        }
        html.Append("""<p class="hint">Line nets are rounded half away from zero to the currency's minor unit; tax is computed per rate on the sum of the nets with that rate.</p></main>""");
        return html.ToString();
    }

    private const string Style = """
        body { font-family: system-ui, sans-serif; color: #111; margin: 2rem; }
        main { max-width: 60rem; margin: 0 auto; }
        h1 { font-size: 1.5rem; }
        dl { display: grid; grid-template-columns: 10rem 1fr; gap: .2rem 1rem; }
        dt { color: #555; }
        dd { margin: 0; }
        table { width: 100%; border-collapse: collapse; margin-top: 1.5rem; }
        th, td { padding: .35rem .5rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
        .n { text-align: right; white-space: nowrap; }
        tfoot td { border-bottom: 0; }
        tr.total td { font-weight: bold; border-top: 2px solid #111; }
        .notes p { white-space: pre-wrap; }
        .hint { color: #666; font-size: .85rem; margin-top: 2rem; }
        @media print { body { margin: 0; } .hint { display: none; } }
        """;
}
