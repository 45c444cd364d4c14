using CrmPlatform.Sales.Quotes;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// The quote's arithmetic and rules on their own, against totals worked out by hand: line nets rounded half away from
/// zero to the currency's minor unit, tax per rate on the sum of the rounded nets, total = subtotal + taxes.
/// </summary>
public sealed class QuoteModelTests
{
    private static readonly DateOnly Today = new(2027, 1, 15);
    private static readonly DateTime Now = new(2027, 1, 15, 10, 0, 0, DateTimeKind.Utc);

    private static QuoteLine Line(decimal quantity, decimal unitPrice, decimal discountPercent = 0, decimal taxRate = 0) =>
        new() { Description = "Item", Quantity = quantity, UnitPrice = unitPrice, DiscountPercent = discountPercent, TaxRate = taxRate };

    private static Quote Draft(string currency, params QuoteLine[] lines) =>
        Quote.Draft(1, Guid.NewGuid(), new QuoteContent(Guid.NewGuid(), currency, Today.AddDays(30), null, lines));

    [Theory]
    // x.xx5 goes up, where banker's rounding would give 0.12 and 0.12.
    [InlineData(1, 0.125, 0.13)]
    [InlineData(2.5, 0.05, 0.13)]
    [InlineData(1, 0.135, 0.14)]
    // Three-decimal quantities: 1.333 × 7.50 = 9.9975; 0.125 × 3.99 = 0.49875.
    [InlineData(1.333, 7.50, 10.00)]
    [InlineData(0.125, 3.99, 0.50)]
    [InlineData(0.001, 0.0049, 0.00)]
    public void A_line_net_is_rounded_half_away_from_zero_to_cents(decimal quantity, decimal unitPrice, decimal expected)
    {
        var quote = Draft("EUR", Line(quantity, unitPrice));
        Assert.Equal(expected, quote.Lines[0].NetAmount);
        Assert.Equal(expected, quote.Total);
    }

    [Fact]
    public void A_discount_applies_before_rounding_and_tax_is_on_the_rounded_net()
    {
        // 7 × 1.99 = 13.93, less 15 % = 11.8405 → 11.84; 19 % of 11.84 = 2.2496 → 2.25.
        var quote = Draft("EUR", Line(7, 1.99m, discountPercent: 15, taxRate: 19));
        Assert.Equal(11.84m, quote.Subtotal);
        Assert.Equal(2.25m, quote.TaxTotal);
        Assert.Equal(14.09m, quote.Total);
    }

    [Fact]
    public void A_full_discount_makes_the_line_free_and_untaxed()
    {
        var quote = Draft("EUR", Line(3, 99.99m, discountPercent: 100, taxRate: 19), Line(1, 10m, taxRate: 19));
        Assert.Equal(0m, quote.Lines[0].NetAmount);
        Assert.Equal(10m, quote.Subtotal);
        Assert.Equal(1.90m, quote.TaxTotal);
        Assert.Equal(11.90m, quote.Total);
    }

    [Fact]
    public void A_currency_without_minor_units_rounds_to_whole_amounts()
    {
        // 3 × 333.5 = 1000.5 → 1001 yen; 10 % of 1001 = 100.1 → 100; and half a yen → 1.
        var quote = Draft("JPY", Line(3, 333.5m, taxRate: 10), Line(1, 0.5m));
        Assert.Equal(new[] { 1001m, 1m }, quote.Lines.Select(l => l.NetAmount));
        Assert.Equal(1002m, quote.Subtotal);
        Assert.Equal(100m, quote.TaxTotal);
        Assert.Equal(1102m, quote.Total);
    }

    [Fact]
    public void A_three_decimal_currency_rounds_to_fils()
    {
        // 1.2345 → 1.235 dinar; 5 % of 1.235 = 0.06175 → 0.062.
        var quote = Draft("KWD", Line(1, 1.2345m, taxRate: 5));
        Assert.Equal(1.235m, quote.Subtotal);
        Assert.Equal(0.062m, quote.TaxTotal);
        Assert.Equal(1.297m, quote.Total);
    }

    [Fact]
    public void The_subtotal_is_the_sum_of_the_rounded_lines_not_the_rounded_sum()
    {
        // Each 0.3333 line is 0.33 on the document, so the subtotal is 0.99, although 3 × 0.3333 = 0.9999 would round to 1.00.
        var quote = Draft("EUR", Line(1, 0.3333m), Line(1, 0.3333m), Line(1, 0.3333m));
        Assert.Equal(0.99m, quote.Subtotal);
        Assert.Equal(0.99m, quote.Total);
    }

    [Fact]
    public void Tax_is_rounded_once_per_rate_not_per_line()
    {
        // Two 1.00 lines at 7.5 %: per line 0.075 → 0.08 twice = 0.16; per rate 2.00 × 7.5 % = 0.15.
        // And 10.00 at 19 % in a group of its own: 1.90.
        var quote = Draft("EUR", Line(1, 1m, taxRate: 7.5m), Line(1, 10m, taxRate: 19), Line(1, 1m, taxRate: 7.5m));
        Assert.Equal(new[] { new QuoteTax(7.5m, 2m, 0.15m), new QuoteTax(19m, 10m, 1.90m) }, quote.Taxes);
        Assert.Equal(12m, quote.Subtotal);
        Assert.Equal(2.05m, quote.TaxTotal);
        Assert.Equal(14.05m, quote.Total);
    }

    [Fact]
    public void Many_small_lines_can_round_apart_from_their_exact_total()
    {
        // 40 lines of 1 × 0.015 at 10 %: each 0.015 → 0.02, subtotal 0.80 (exactly 0.60); tax on 0.80 → 0.08.
        var quote = Draft("EUR", [.. Enumerable.Range(0, 40).Select(_ => Line(1, 0.015m, taxRate: 10))]);
        Assert.Equal(0.80m, quote.Subtotal);
        Assert.Equal(0.08m, quote.TaxTotal);
        Assert.Equal(0.88m, quote.Total);
        Assert.Equal(quote.Subtotal, quote.Lines.Sum(l => l.NetAmount));
    }

    [Fact]
    public void A_sent_quote_cannot_change_and_a_revision_is_a_new_draft_with_the_same_number()
    {
        var quote = Draft("EUR", Line(2, 50m, taxRate: 19));
        Assert.Null(quote.Send(Today, Now));
        Assert.Equal(QuoteStatus.Sent, quote.Status);

        var edit = quote.Edit(new QuoteContent(quote.PriceBookId, "EUR", Today.AddDays(10), null, [Line(1, 1m)]));
        Assert.Equal(409, edit!.StatusCode);
        Assert.Equal(100m, quote.Subtotal);
        Assert.Equal(409, quote.Send(Today, Now)!.StatusCode);

        var (revised, refusal) = quote.Revise(2, Today);
        Assert.Null(refusal);
        Assert.Equal((1, 2, QuoteStatus.Draft), (revised!.Number, revised.Revision, revised.Status));
        Assert.Equal(quote.OpportunityId, revised.OpportunityId);
        Assert.Equal(119m, revised.Total);
        Assert.NotEqual(quote.Lines[0].Id, revised.Lines[0].Id);
        Assert.Null(revised.Edit(new QuoteContent(quote.PriceBookId, "EUR", Today.AddDays(10), null, [Line(1, 1m)])));
        Assert.Equal(1m, revised.Total);
        Assert.Equal(100m, quote.Subtotal);

        Assert.Equal(409, revised.Revise(3, Today).Refusal!.StatusCode);
    }

    [Fact]
    public void Sending_needs_lines_and_a_validity_that_has_not_passed()
    {
        Assert.Equal(422, Draft("EUR").Send(Today, Now)!.StatusCode);
        var late = Quote.Draft(1, Guid.NewGuid(), new QuoteContent(Guid.NewGuid(), "EUR", Today.AddDays(-1), null, [Line(1, 1m)]));
        Assert.Equal(422, late.Send(Today, Now)!.StatusCode);
        Assert.Equal(QuoteStatus.Draft, late.Status);
    }

    [Fact]
    public void A_sent_quote_expires_the_day_after_its_validity_and_can_then_only_be_revised()
    {
        var quote = Draft("EUR", Line(1, 1m));
        quote.Send(Today, Now);
        var lastDay = quote.ValidUntil;
        Assert.Equal(QuoteStatus.Sent, quote.StatusOn(lastDay));
        Assert.Equal(QuoteStatus.Expired, quote.StatusOn(lastDay.AddDays(1)));

        Assert.Equal(409, quote.Accept(lastDay.AddDays(1), Now)!.StatusCode);
        Assert.Equal(409, quote.Reject(lastDay.AddDays(1), Now, null)!.StatusCode);
        Assert.Equal(QuoteStatus.Sent, quote.Status);
        Assert.NotNull(quote.Revise(2, lastDay.AddDays(1)).Revised);
    }

    [Fact]
    public void Only_a_sent_quote_is_accepted_or_rejected_and_an_accepted_one_is_never_revised()
    {
        var draft = Draft("EUR", Line(1, 1m));
        Assert.Equal(409, draft.Accept(Today, Now)!.StatusCode);
        Assert.Equal(409, draft.Revise(2, Today).Refusal!.StatusCode);

        draft.Send(Today, Now);
        Assert.Null(draft.Accept(Today, Now));
        Assert.Equal((QuoteStatus.Accepted, Now), (draft.Status, draft.DecidedAt!.Value));
        Assert.Equal(409, draft.Accept(Today, Now)!.StatusCode);
        Assert.Equal(409, draft.Reject(Today, Now, "too late")!.StatusCode);
        Assert.Equal(409, draft.Revise(2, Today).Refusal!.StatusCode);

        var rejected = Draft("EUR", Line(1, 1m));
        rejected.Send(Today, Now);
        Assert.Null(rejected.Reject(Today, Now, "Too expensive"));
        Assert.Equal((QuoteStatus.Rejected, "Too expensive"), (rejected.Status, rejected.RejectionReason));
        Assert.NotNull(rejected.Revise(2, Today).Revised);
    }
}
