using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Catalog;

public static class CatalogModel
{
    public static ModelBuilder AddCatalog(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>(product =>
        {
            product.ToTable("products");
            product.Property(p => p.Sku).HasMaxLength(Product.SkuMaxLength);
            product.Property(p => p.Name).HasMaxLength(Product.NameMaxLength);
            product.Property(p => p.Description).HasMaxLength(Product.DescriptionMaxLength);
            product.HasIndex(p => new { p.TenantId, p.Sku }).IsUnique();
            product.HasIndex(p => new { p.TenantId, p.CreatedAt, p.Id });
        });
        modelBuilder.Entity<PriceBook>(book =>
        {
            book.ToTable("price_books");
            book.Property(b => b.Name).HasMaxLength(PriceBook.NameMaxLength);
            book.Property(b => b.Currency).HasMaxLength(3).IsFixedLength();
            book.HasIndex(b => new { b.TenantId, b.CreatedAt, b.Id });
            // Always loaded with their book: a book's prices are read and written as one document.
            book.OwnsMany(b => b.Entries, entry =>
            {
                entry.ToTable("price_book_entries");
                entry.WithOwner().HasForeignKey("PriceBookId");
                entry.HasKey(e => e.Id);
                // The model gives each entry its id: an entry added to a loaded book is new, not a row to update.
                entry.Property(e => e.Id).ValueGeneratedNever();
                entry.Property(e => e.UnitPrice).HasPrecision(18, PriceBook.UnitPriceDecimals);
                entry.HasIndex("PriceBookId", nameof(PriceBookEntry.ProductId)).IsUnique();
                entry.HasIndex(e => e.ProductId);
            });
        });
        return modelBuilder;
    }
}
