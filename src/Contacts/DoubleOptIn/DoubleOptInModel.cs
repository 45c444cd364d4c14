using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence.Mail;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.DoubleOptIn;

internal static class DoubleOptInModel
{
    public static ModelBuilder AddDoubleOptIn(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DoubleOptInRequest>(request =>
        {
            request.ToTable("double_opt_in_requests");
            request.Property(r => r.Purpose).HasMaxLength(50);
            request.Property(r => r.Channel).HasMaxLength(20);
            request.Property(r => r.Source).HasMaxLength(20);
            request.Property(r => r.Email).HasMaxLength(DoubleOptInRequest.EmailMaxLength);
            request.Property(r => r.TokenHash).HasMaxLength(64);
            request.Property(r => r.State).HasConversion(state => KindNames.Of(state), name => KindNames.Parse<DoubleOptInState>(name)).HasMaxLength(20);
            // Confirmation looks a request up by its token alone, before it knows the tenant.
            request.HasIndex(r => r.TokenHash).IsUnique();
            request.HasIndex(r => new { r.TenantId, r.PersonId, r.Purpose, r.Channel });
            // The expiry sweep: pending requests by deadline, across tenants.
            request.HasIndex(r => r.ExpiresAt).HasFilter("state = 'pending'");
        });

        modelBuilder.AddEmailOutbox();
        return modelBuilder;
    }
}
