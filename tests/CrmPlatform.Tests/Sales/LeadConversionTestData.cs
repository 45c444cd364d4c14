using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contracts;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Leads;
using CrmPlatform.Sales.Leads.Conversion;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Sales;

/// <summary>Leads made straight in Sales' database (their API lives elsewhere), conversions, and what they left behind.</summary>
public static class LeadConversionTestData
{
    public static string NewEmail() => $"{Guid.NewGuid():N}@example.com";

    public static async Task<Lead> LeadAsync(
        ServiceFactory<SalesDbContext> sales, string? email = null, string? company = "Acme Corp", string? domain = null,
        string status = LeadStatuses.Qualified, string? ownerId = null, Guid? tenantId = null, bool withoutEmail = false)
    {
        await using var scope = sales.Services.CreateAsyncScope();
        var tenant = scope.ServiceProvider.GetRequiredService<TenantContext>();
        tenant.TenantId = tenantId ?? TenantContext.DefaultTenantId;
        tenant.ActorId = ownerId ?? "lead-capture";
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        var lead = new Lead
        {
            FirstName = "Grace",
            LastName = "Hopper",
            Email = withoutEmail ? null : email ?? NewEmail(),
            Phone = "+44 20 7946 0001",
            JobTitle = "Head of IT",
            Company = company,
            CompanyDomain = domain,
            Industry = "software",
            EmployeeCount = 120,
            Country = "GB",
            City = "London",
            Status = status,
            DisqualificationReason = status == LeadStatuses.Disqualified ? "No budget" : null,
        };
        db.Leads.Add(lead);
        await db.SaveChangesAsync();
        return lead;
    }

    public static Task<ApiAnswer> ConvertAsync(HttpClient sales, Guid leadId, object? body = null, int? waitSeconds = 30, string? ifMatch = null) =>
        sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/leads/{leadId}/convert", body ?? new { }, ifMatch,
            waitSeconds is { } wait ? new Dictionary<string, string> { ["Prefer"] = $"wait={wait}" } : null);

    public static Task<Lead> StoredLeadAsync(ServiceFactory<SalesDbContext> sales, Guid id) =>
        PlatformServices.QueryAsync(sales, db => db.Leads.IgnoreQueryFilters().AsNoTracking().SingleAsync(l => l.Id == id));

    public static Task<List<LeadConversion>> ConversionsAsync(ServiceFactory<SalesDbContext> sales, Guid leadId) =>
        PlatformServices.QueryAsync(sales, db => db.Set<LeadConversion>().IgnoreQueryFilters().AsNoTracking().Where(c => c.LeadId == leadId).ToListAsync());

    /// <summary>People of any tenant with this address: the count a duplicate would raise.</summary>
    public static Task<int> PeopleWithEmailAsync(ServiceFactory<ContactsDbContext> contacts, string email) =>
        PlatformServices.QueryAsync(contacts, db => db.People.IgnoreQueryFilters().CountAsync(p => p.Email == email.ToLower()));

    public static Task<int> OrganizationsNamedAsync(ServiceFactory<ContactsDbContext> contacts, string name) =>
        PlatformServices.QueryAsync(contacts, db => db.Organizations.IgnoreQueryFilters().CountAsync(o => o.Name == name));

    /// <summary>Opportunities made from the lead: with the conversion's id, or linked from the lead.</summary>
    public static async Task<int> OpportunitiesOfAsync(ServiceFactory<SalesDbContext> sales, Guid leadId)
    {
        var ids = (await ConversionsAsync(sales, leadId)).Select(c => c.OpportunityId).ToList();
        return await PlatformServices.QueryAsync(sales, db => db.Opportunities.IgnoreQueryFilters().CountAsync(o => ids.Contains(o.Id)));
    }

    /// <summary>The events of one type about one aggregate in a service's outbox, published or not.</summary>
    public static Task<List<TEvent>> OutboxEventsAsync<TDbContext, TEvent>(ServiceFactory<TDbContext> service, Func<TEvent, bool> about)
        where TDbContext : TenantDbContext where TEvent : IIntegrationEvent =>
        PlatformServices.QueryAsync(service, async db => (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.EventType == typeof(TEvent).FullName).OrderBy(m => m.Sequence).ToListAsync())
            .Select(m => (TEvent)m.ToEvent()).Where(about).ToList());
}
