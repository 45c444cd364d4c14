using CrmPlatform.Sales.Catalog;
using CrmPlatform.Sales.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Quotes;

public static class QuotesModel
{
    /// <summary>Amounts keep the finest minor unit of any currency; each quote's own are rounded to its currency's.</summary>
    private const int AmountPrecision = 24;

    public static ModelBuilder AddQuotes(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Quote>(quote =>
        {
            quote.ToTable("quotes");
            quote.Ignore(q => q.Taxes);
            quote.Property(q => q.Currency).HasMaxLength(3).IsFixedLength();
            quote.Property(q => q.Status).HasMaxLength(20)
                .HasConversion(status => Quote.Name(status), name => Enum.Parse<QuoteStatus>(name, true));
            quote.Property(q => q.Notes).HasMaxLength(Quote.NotesMaxLength);
            quote.Property(q => q.RejectionReason).HasMaxLength(Quote.RejectionReasonMaxLength);
            quote.Property(q => q.Subtotal).HasPrecision(AmountPrecision, Currencies.MaxMinorUnits);
            quote.Property(q => q.TaxTotal).HasPrecision(AmountPrecision, Currencies.MaxMinorUnits);
            quote.Property(q => q.Total).HasPrecision(AmountPrecision, Currencies.MaxMinorUnits);
            quote.HasIndex(q => new { q.TenantId, q.Number, q.Revision }).IsUnique();
            // The one rule two requests could otherwise break together: two revisions accepted at once.
            quote.HasIndex(q => new { q.TenantId, q.Number }).IsUnique().HasFilter("status = 'accepted'")
                .HasDatabaseName("ix_quotes_one_accepted_revision");
            // Part of their opportunity: deleting the opportunity deletes its quotes.
            quote.HasOne<Opportunity>().WithMany().HasForeignKey(q => q.OpportunityId).OnDelete(DeleteBehavior.Cascade);
            quote.HasIndex(q => q.OpportunityId);
            quote.HasIndex(q => new { q.TenantId, q.CreatedAt, q.Id });
            // Always loaded with their quote: totals and documents need every line.
            quote.OwnsMany(q => q.Lines, line =>
            {
                line.ToTable("quote_lines");
                line.WithOwner().HasForeignKey("QuoteId");
                line.HasKey(l => l.Id);
                // The model gives each line its id: a line added to a loaded quote is new, not a row to update.
                line.Property(l => l.Id).ValueGeneratedNever();
                line.Property(l => l.Sku).HasMaxLength(Product.SkuMaxLength);
                line.Property(l => l.Description).HasMaxLength(QuoteLine.DescriptionMaxLength);
                line.Property(l => l.Quantity).HasPrecision(18, QuoteLine.QuantityDecimals);
                line.Property(l => l.UnitPrice).HasPrecision(18, PriceBook.UnitPriceDecimals);
                line.Property(l => l.DiscountPercent).HasPrecision(5, QuoteLine.DiscountDecimals);
                line.Property(l => l.TaxRate).HasPrecision(6, QuoteLine.TaxRateDecimals);
                line.Property(l => l.NetAmount).HasPrecision(AmountPrecision, Currencies.MaxMinorUnits);
                line.HasIndex(l => l.ProductId);
            });
        });
        return modelBuilder;
    }
}
