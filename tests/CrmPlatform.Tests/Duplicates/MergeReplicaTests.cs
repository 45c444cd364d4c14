using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Leads;
using CrmPlatform.Sales.Merges;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CrmPlatform.Tests.Consents.ConsentStatements;
using static CrmPlatform.Tests.Duplicates.DuplicateData;

namespace CrmPlatform.Tests.Duplicates;

/// <summary>
/// A merge and its undo as the other services see them: Sales' opportunity, activity, task and converted lead follow the
/// survivor and come back, the
/// contact directories and consent replicas of Sales, Marketing and Service end up right, each event applied once.
/// </summary>
public sealed class MergeReplicaTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private readonly HttpClient _marketing = fixture.Platform.ClientFor(fixture.Platform.Marketing);

    private Task<JsonElement> NewPersonAsync(string first, string last) =>
        _contacts.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person(first, last, phone: NewPhone())).CreatedAsync();

    private Task<Guid> OpportunityCustomerAsync(Guid opportunity) =>
        _sales.GetJsonAsync($"/api/v1/opportunities/{opportunity}").ContinueWith(a => a.Result.Body.GetProperty("customer").Id());

    /// <summary>A lead converted into <paramref name="person"/>, written directly: what conversion leaves behind.</summary>
    private Task<Guid> ConvertedLeadAsync(Guid person) => PlatformServices.QueryAsync(Platform.Sales, async db =>
    {
        var lead = new Lead { LastName = "Converted", Status = LeadStatuses.Converted, ConvertedPersonId = person, ConvertedAt = DateTime.UtcNow };
        db.Leads.Add(lead);
        await db.SaveChangesAsync();
        return lead.Id;
    });

    private Task<Guid?[]> LinkedContactsAsync(Guid activity, Guid task, Guid lead) => PlatformServices.QueryAsync(Platform.Sales, async db =>
        new[]
        {
            await db.Activities.Where(a => a.Id == activity).Select(a => a.ContactId).SingleAsync(),
            await db.Tasks.Where(t => t.Id == task).Select(t => t.ContactId).SingleAsync(),
            await db.Leads.Where(l => l.Id == lead).Select(l => l.ConvertedPersonId).SingleAsync(),
        });

    private async Task<ApiAnswer> MergeAsync(Guid survivor, Guid merged)
    {
        var current = (await _contacts.GetJsonAsync($"/api/v1/people/{survivor}")).Body;
        var answer = await _contacts.SendJsonAsync(HttpMethod.Post, "/api/v1/people/merge", new { survivorId = survivor, mergedIds = new[] { merged } }, current.ETag());
        Assert.True(answer.Status == HttpStatusCode.Created, answer.Body.ToString());
        return answer;
    }

    [Fact]
    public async Task An_opportunity_of_a_merged_person_moves_to_the_survivor_and_back_on_undo()
    {
        var last = NewName("Jackson");
        var survivor = await NewPersonAsync("Mary", last);
        var merged = await NewPersonAsync("Mary", last);
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, merged.Id()) is not null, "Sales knows the person");
        var opportunity = (await _sales.PostJsonAsync("/api/v1/opportunities", new { name = "Wind tunnel", amount = 10, currency = "USD", customerId = merged.Id() })).Body.Id();
        var activity = (await _sales.PostJsonAsync("/api/v1/activities",
            new { kind = "call", subject = "Intro", occurredAt = DateTime.UtcNow, durationMinutes = 5, contactId = merged.Id() })).Body.Id();
        var task = (await _sales.PostJsonAsync("/api/v1/tasks", new { subject = "Call back", dueAt = DateTime.UtcNow.AddDays(3), priority = "normal", contactId = merged.Id() })).Body.Id();
        var lead = await ConvertedLeadAsync(merged.Id());

        var merge = (await MergeAsync(survivor.Id(), merged.Id())).Body;
        await Eventually.ReturnsAsync(() => OpportunityCustomerAsync(opportunity), c => c == survivor.Id(), "the opportunity follows the survivor");
        Assert.Equal([survivor.Id(), survivor.Id(), survivor.Id()], await LinkedContactsAsync(activity, task, lead));
        var moves = await PlatformServices.QueryAsync(Platform.Sales, db => db.ContactMergeMoves.AsNoTracking().Where(m => m.MergeId == merge.Id()).ToListAsync());
        Assert.Equal(["activity", "lead-person", "opportunity", "task"], moves.Select(m => m.RecordKind).Order());
        Assert.All(moves, m => Assert.Equal(merged.Id(), m.FromContactId));
        Assert.Equal(opportunity, moves.Single(m => m.RecordKind == "opportunity").RecordId);
        foreach (var directory in new Func<Task<Persistence.ContactDirectory.DirectoryContact?>>[]
                 {
                     () => PlatformServices.DirectoryEntryAsync(Platform.Sales, merged.Id()),
                     () => PlatformServices.DirectoryEntryAsync(Platform.Marketing, merged.Id()),
                     () => PlatformServices.DirectoryEntryAsync(Platform.Service, merged.Id()),
                 })
        {
            await Eventually.ReturnsAsync(directory, c => c?.IsDeleted == true, "the merged person is gone from the directory");
        }

        Assert.Equal(HttpStatusCode.OK, (await _contacts.PostJsonAsync($"/api/v1/merges/{merge.Id()}/undo", new { })).Status);
        await Eventually.ReturnsAsync(() => OpportunityCustomerAsync(opportunity), c => c == merged.Id(), "the opportunity goes back on undo");
        Assert.Equal([merged.Id(), merged.Id(), merged.Id()], await LinkedContactsAsync(activity, task, lead));
        foreach (var directory in new Func<Task<Persistence.ContactDirectory.DirectoryContact?>>[]
                 {
                     () => PlatformServices.DirectoryEntryAsync(Platform.Sales, merged.Id()),
                     () => PlatformServices.DirectoryEntryAsync(Platform.Marketing, merged.Id()),
                     () => PlatformServices.DirectoryEntryAsync(Platform.Service, merged.Id()),
                 })
        {
            var restored = await Eventually.ReturnsAsync(directory, c => c?.IsDeleted == false, "the restored person is back in the directory");
            Assert.Equal($"Mary {last}", restored!.DisplayName);
        }
    }

    [Fact]
    public async Task Consents_follow_the_survivor_in_marketing_and_service_and_go_back_on_undo()
    {
        var last = NewName("Goeppert");
        var survivor = await NewPersonAsync("Maria", last);
        var merged = await NewPersonAsync("Maria", last);
        await _contacts.PostJsonAsync(ConsentsUrl(merged.Id()), Grant());
        await Eventually.TrueAsync(async () => (await _marketing.GetJsonAsync(CanContactUrl(merged.Id()))).Body.Str("reason") == "granted", "Marketing has the grant");
        Assert.Equal("no-record", (await _marketing.GetJsonAsync(CanContactUrl(survivor.Id()))).Body.Str("reason"));

        var merge = (await MergeAsync(survivor.Id(), merged.Id())).Body;
        await Eventually.TrueAsync(async () => (await _marketing.GetJsonAsync(CanContactUrl(survivor.Id()))).Body.Str("reason") == "granted",
            "Marketing may contact the survivor");
        var serviceCopy = await Eventually.ReturnsAsync(() => PlatformServices.QueryAsync(Platform.Service,
            db => db.ConsentReplicas.AsNoTracking().SingleOrDefaultAsync(c => c.PersonId == survivor.Id())), c => c is not null, "Service has it for the survivor");
        Assert.Equal("granted", serviceCopy!.Status);

        Assert.Equal(HttpStatusCode.OK, (await _contacts.PostJsonAsync($"/api/v1/merges/{merge.Id()}/undo", new { })).Status);
        await Eventually.TrueAsync(async () => (await _marketing.GetJsonAsync(CanContactUrl(survivor.Id()))).Body.Str("reason") == "no-record",
            "the survivor's consent is gone again");
        Assert.Equal("granted", (await _marketing.GetJsonAsync(CanContactUrl(merged.Id()))).Body.Str("reason"));
    }

    [Fact]
    public async Task A_redelivered_merge_moves_an_opportunity_once_and_another_tenants_merge_moves_none_of_mine()
    {
        var customer = await NewPersonAsync("Annie", NewName("Easley"));
        var survivor = await NewPersonAsync("Annie", NewName("Easley"));
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Sales, customer.Id()) is not null, "Sales knows the person");
        var opportunity = (await _sales.PostJsonAsync("/api/v1/opportunities", new { name = "Rocket", amount = 10, currency = "USD", customerId = customer.Id() })).Body.Id();
        var bus = Platform.Contacts.Services.GetRequiredService<IBus>();

        // Another tenant's merge naming my customer's id changes nothing here.
        var foreign = Guid.NewGuid();
        await bus.Publish(new ContactsMerged(Guid.NewGuid(), DateTime.UtcNow, Guid.NewGuid(), survivor.Id(), 9, Guid.NewGuid(), MergeKinds.Person,
            survivor.Id(), [customer.Id()]), c => c.MessageId = foreign);
        await Eventually.TrueAsync(() => PlatformServices.QueryAsync(Platform.Sales, db => db.InboxMessages.AnyAsync(m => m.MessageId == foreign)), "the foreign merge is processed");
        Assert.Equal(customer.Id(), await OpportunityCustomerAsync(opportunity));

        var messageId = Guid.NewGuid();
        var merge = new ContactsMerged(Guid.NewGuid(), DateTime.UtcNow, TenantContext.DefaultTenantId, survivor.Id(), 9, Guid.NewGuid(), MergeKinds.Person,
            survivor.Id(), [customer.Id()]);
        await bus.Publish(merge, c => c.MessageId = messageId);
        await Eventually.ReturnsAsync(() => OpportunityCustomerAsync(opportunity), c => c == survivor.Id(), "the opportunity moves");
        var version = await PlatformServices.QueryAsync(Platform.Sales, db => db.Opportunities.Where(o => o.Id == opportunity).Select(o => o.Version).SingleAsync());
        await bus.Publish(merge, c => c.MessageId = messageId);
        var marker = Guid.NewGuid();
        await bus.Publish(merge with { MergeId = Guid.NewGuid(), MergedIds = [Guid.NewGuid()] }, c => c.MessageId = marker);
        await Eventually.TrueAsync(() => PlatformServices.QueryAsync(Platform.Sales,
            db => db.InboxMessages.AnyAsync(m => m.MessageId == marker && m.Consumer == ContactMergeConsumer.ConsumerName)), "a later message is processed");
        Assert.Equal(version, await PlatformServices.QueryAsync(Platform.Sales, db => db.Opportunities.Where(o => o.Id == opportunity).Select(o => o.Version).SingleAsync()));
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Sales, db => db.ContactMergeMoves.CountAsync(m => m.RecordId == opportunity)));
    }
}
