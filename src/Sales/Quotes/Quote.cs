using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Catalog;

namespace CrmPlatform.Sales.Quotes;

/// <summary>
/// draft → sent → accepted | rejected | expired. Only <c>expired</c> is never stored: a sent quote is expired from the
/// day after <see cref="Quote.ValidUntil"/> (UTC) on, with no job that has to run for it to be true.
/// </summary>
public enum QuoteStatus
{
    Draft,
    Sent,
    Accepted,
    Rejected,
    Expired,
}

/// <summary>What a draft holds and a client may change; lines come with their unit prices already resolved.</summary>
public sealed record QuoteContent(Guid PriceBookId, string Currency, DateOnly ValidUntil, string? Notes, IReadOnlyList<QuoteLine> Lines);

/// <summary>Why a quote refuses a change, with the HTTP status that says so (409 for its state, 422 for its content).</summary>
public sealed record QuoteRefusal(int StatusCode, string Detail);

/// <summary>
/// One version of a quote on an opportunity. A quote's <see cref="Number"/> stays the same across its versions;
/// each <see cref="Revision"/> is a row of its own, so a sent version stays exactly as the customer saw it and a change
/// after sending is a new draft revision. At most one revision of a number is ever accepted.
/// <para>
/// Totals, computed here and nowhere else, in decimal: each line's net (quantity × unit price less the discount) is
/// rounded half away from zero to the currency's minor unit; the subtotal is the sum of those rounded nets, so the
/// lines on the document add up to it. Tax is computed per rate, on the sum of the rounded nets with that rate, and
/// rounded once per rate, as invoices state VAT per rate; rounding the tax of every line instead would let the
/// rounding differences of many small lines add up to cents the customer cannot reproduce from the breakdown. The
/// total is subtotal + the rates' taxes, with no further rounding.
/// </para>
/// </summary>
public sealed class Quote : UnownedAuditedEntity
{
    public const int NotesMaxLength = 4000;
    public const int MaxLines = 200;
    public const int RejectionReasonMaxLength = 1000;

    public int Number { get; private init; }
    public int Revision { get; private init; } = 1;
    public Guid OpportunityId { get; private init; }
    public Guid PriceBookId { get; private set; }
    public string Currency { get; private set; } = "";
    /// <summary>As stored: never <see cref="QuoteStatus.Expired"/>; ask <see cref="StatusOn"/>.</summary>
    public QuoteStatus Status { get; private set; }
    /// <summary>The last day (UTC) the customer may accept.</summary>
    public DateOnly ValidUntil { get; private set; }
    public string? Notes { get; private set; }
    public decimal Subtotal { get; private set; }
    public decimal TaxTotal { get; private set; }
    public decimal Total { get; private set; }
    public DateTime? SentAt { get; private set; }
    /// <summary>When it was accepted or rejected.</summary>
    public DateTime? DecidedAt { get; private set; }
    public string? RejectionReason { get; private set; }
    public List<QuoteLine> Lines { get; private set; } = [];

    public static Quote Draft(int number, Guid opportunityId, QuoteContent content)
    {
        var quote = new Quote { Number = number, OpportunityId = opportunityId, Status = QuoteStatus.Draft };
        quote.Apply(content);
        return quote;
    }

    public QuoteStatus StatusOn(DateOnly today) => Status == QuoteStatus.Sent && ValidUntil < today ? QuoteStatus.Expired : Status;

    public IReadOnlyList<QuoteTax> Taxes => [.. Lines
        .GroupBy(line => line.TaxRate)
        .OrderBy(group => group.Key)
        .Select(group =>
        {
            var net = group.Sum(line => line.NetAmount);
            return new QuoteTax(group.Key, net, Currencies.Round(net * group.Key / 100m, Currency));
        })];

    public QuoteRefusal? Edit(QuoteContent content)
    {
        if (Status != QuoteStatus.Draft)
        {
            return Immutable();
        }
        Apply(content);
        return null;
    }

    public QuoteRefusal? Send(DateOnly today, DateTime now)
    {
        if (Status != QuoteStatus.Draft)
        {
            return new(StatusCodes.Status409Conflict, $"Quote {Number} revision {Revision} is {Name(StatusOn(today))}; only a draft can be sent.");
        }
        if (Lines.Count == 0)
        {
            return new(StatusCodes.Status422UnprocessableEntity, "A quote needs at least one line before it is sent.");
        }
        if (ValidUntil < today)
        {
            return new(StatusCodes.Status422UnprocessableEntity, $"validUntil {ValidUntil:yyyy-MM-dd} has passed; set a later date before sending.");
        }
        Status = QuoteStatus.Sent;
        SentAt = now;
        return null;
    }

    /// <summary>Whether another revision of the same number is already accepted is for the caller to check (and the unique index to enforce).</summary>
    public QuoteRefusal? Accept(DateOnly today, DateTime now) => Decide(QuoteStatus.Accepted, today, now, reason: null);

    public QuoteRefusal? Reject(DateOnly today, DateTime now, string? reason) => Decide(QuoteStatus.Rejected, today, now, reason);

    /// <summary>
    /// A new draft with the next revision number and a copy of this one's content. Only a version the customer has seen
    /// and not accepted is revised (a draft is simply edited; an accepted quote is a deal).
    /// </summary>
    public (Quote? Revised, QuoteRefusal? Refusal) Revise(int revision, DateOnly today)
    {
        if (StatusOn(today) is QuoteStatus.Draft or QuoteStatus.Accepted)
        {
            return (null, new(StatusCodes.Status409Conflict,
                $"Quote {Number} revision {Revision} is {Name(StatusOn(today))}; only a sent, rejected or expired quote is revised."));
        }
        var revised = new Quote { Number = Number, Revision = revision, OpportunityId = OpportunityId, Status = QuoteStatus.Draft };
        revised.Apply(new QuoteContent(PriceBookId, Currency, ValidUntil, Notes, [.. Lines.Select(line => line.Copy())]));
        return (revised, null);
    }

    /// <summary>
    /// A data subject's erasure outranks immutability: the figures stay for the pipeline, the free text that may
    /// describe the person (notes, a rejection reason) goes, even on a sent quote.
    /// </summary>
    public void EraseFreeText()
    {
        Notes = null;
        RejectionReason = null;
    }

    public QuoteSent Sent() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());

    public QuoteAccepted Accepted(bool opportunityAmountSet) =>
        new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot(), opportunityAmountSet);

    public static string Name(QuoteStatus status) => status.ToString().ToLowerInvariant();

    private QuoteRefusal? Decide(QuoteStatus decision, DateOnly today, DateTime now, string? reason)
    {
        var status = StatusOn(today);
        if (status != QuoteStatus.Sent)
        {
            var why = status == QuoteStatus.Expired ? $"expired (it was valid until {ValidUntil:yyyy-MM-dd})" : Name(status);
            return new(StatusCodes.Status409Conflict, $"Quote {Number} revision {Revision} is {why}; only a sent quote can be {Name(decision)}.");
        }
        Status = decision;
        DecidedAt = now;
        RejectionReason = reason;
        return null;
    }

    private QuoteRefusal Immutable() => new(StatusCodes.Status409Conflict,
        $"Quote {Number} revision {Revision} is {Name(Status)} and can no longer change; revise it to make a new draft.");

    private void Apply(QuoteContent content)
    {
        PriceBookId = content.PriceBookId;
        Currency = content.Currency;
        ValidUntil = content.ValidUntil;
        Notes = content.Notes;
        Lines.Clear();
        var position = 1;
        foreach (var line in content.Lines)
        {
            line.Position = position++;
            line.NetAmount = Currencies.Round(line.ExactNet, Currency);
            Lines.Add(line);
        }
        Subtotal = Lines.Sum(line => line.NetAmount);
        TaxTotal = Taxes.Sum(tax => tax.TaxAmount);
        Total = Subtotal + TaxTotal;
    }

    private QuoteSnapshot ToSnapshot() => new(
        Number, Revision, OpportunityId, PriceBookId, Currency, ValidUntil, Subtotal, TaxTotal, Total,
        [.. Lines.OrderBy(l => l.Position).Select(l => new QuoteLineSnapshot(
            l.ProductId, l.Sku, l.Description, l.Quantity, l.UnitPrice, l.DiscountPercent, l.TaxRate, l.NetAmount))],
        [.. Taxes.Select(t => new QuoteTaxSnapshot(t.TaxRate, t.NetAmount, t.TaxAmount))]);
}
