using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads.Conversion;

public static class LeadConversionModel
{
    public static ModelBuilder AddLeadConversions(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LeadConversion>(conversion =>
        {
            conversion.ToTable("lead_conversions");
            conversion.Property(c => c.State).HasMaxLength(20);
            conversion.Property(c => c.RequestedBy).HasMaxLength(200);
            conversion.Property(c => c.OpportunityName).HasMaxLength(Model.Opportunity.NameMaxLength);
            conversion.Property(c => c.Amount).HasPrecision(18, 2);
            conversion.Property(c => c.Currency).HasMaxLength(3).IsFixedLength();
            conversion.Property(c => c.Stage).HasMaxLength(40);
            conversion.Property(c => c.FailureDetail).HasMaxLength(1_000);
            conversion.Property(c => c.FailureErrors).HasColumnType("jsonb");
            conversion.HasIndex(c => new { c.TenantId, c.LeadId, c.CreatedAt });
            // Two convert requests racing for one lead: the second finds this index taken and gets a 409.
            conversion.HasIndex(c => c.LeadId).IsUnique().HasFilter("state <> 'failed'").HasDatabaseName("ix_lead_conversions_one_per_lead");
        });
        return modelBuilder;
    }

    public static void AddLeadConversions(this IHostApplicationBuilder builder, IBusRegistrationConfigurator bus, string serviceName)
    {
        bus.AddConsumer<LeadConversionReplyConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{LeadConversionReplyConsumer.ConsumerName}");
        builder.Services.AddSingleton<LeadConversionSignal>();
    }
}
