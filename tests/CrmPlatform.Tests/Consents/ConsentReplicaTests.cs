using System.Net;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CrmPlatform.Tests.Consents.ConsentStatements;

namespace CrmPlatform.Tests.Consents;

/// <summary>
/// ConsentChanged from Contacts' outbox to the replicas in Marketing, Sales and Service, and Marketing's can-contact
/// answer from its replica: each change applied once, older versions ignored, no record meaning no.
/// </summary>
public sealed class ConsentReplicaTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private readonly HttpClient _marketing = fixture.Platform.ClientFor(fixture.Platform.Marketing);

    private async Task<Guid> NewPersonAsync() => (await _contacts.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();

    private Task<ApiAnswer> CanContactAsync(Guid person, string purpose = "newsletter", string channel = "email") =>
        _marketing.GetJsonAsync(CanContactUrl(person, purpose, channel));

    private Task<ApiAnswer> EventuallyAsync(Guid person, string reason, string purpose = "newsletter", string channel = "email") =>
        Eventually.ReturnsAsync(() => CanContactAsync(person, purpose, channel), answer => answer.Body.Str("reason") == reason,
            $"Marketing answers '{reason}' for {purpose}/{channel}");

    private static Task<ConsentReplica?> ReplicaAsync<TDbContext>(ServiceFactory<TDbContext> service, Guid person, string channel = "email")
        where TDbContext : TenantDbContext, IConsentReplicaDbContext =>
        PlatformServices.QueryAsync(service, db => db.ConsentReplicas.AsNoTracking()
            .SingleOrDefaultAsync(c => c.PersonId == person && c.Purpose == "newsletter" && c.Channel == channel));

    [Fact]
    public async Task A_withdrawal_in_contacts_flips_marketings_can_contact_from_true_to_false_and_reaches_sales_and_service()
    {
        var person = await NewPersonAsync();
        var validUntil = DateTime.UtcNow.AddYears(1);
        Assert.Equal(HttpStatusCode.Created, (await _contacts.PostJsonAsync(ConsentsUrl(person), WebFormGrant(validUntil: validUntil))).Status);

        var allowed = await EventuallyAsync(person, "granted");
        Assert.True(allowed.Body.GetProperty("allowed").GetBoolean());
        Assert.Equal(validUntil, allowed.Body.GetProperty("until").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        Assert.StartsWith("Granted until ", allowed.Body.Str("detail"));

        var withdrawal = await _contacts.PostJsonAsync(ConsentsUrl(person), Withdrawal());
        var denied = await EventuallyAsync(person, "withdrawn");
        Assert.False(denied.Body.GetProperty("allowed").GetBoolean());
        Assert.Equal(withdrawal.Body.GetProperty("recordedAt").GetDateTime(), denied.Body.GetProperty("since").GetDateTime());

        // Sales and Service keep the same copy, decided by the same rule.
        foreach (var replica in new[] { (Func<Task<ConsentReplica?>>)(() => ReplicaAsync(Platform.Sales, person)), () => ReplicaAsync(Platform.Service, person) })
        {
            var copy = await Eventually.ReturnsAsync(replica, c => c?.Version == 2, "the withdrawal reaches the replica");
            Assert.Equal("withdrawn", copy!.Status);
            Assert.False(ContactRule.Decide(copy, DateTime.UtcNow).Allowed);
        }
        var salesDecision = await PlatformServices.QueryAsync(Platform.Sales,
            db => db.DecideContactAsync(person, "newsletter", "email", DateTime.UtcNow, CancellationToken.None));
        Assert.Equal(ContactReasons.Withdrawn, salesDecision.Reason);
    }

    [Fact]
    public async Task No_record_means_not_allowed()
    {
        var person = await NewPersonAsync();
        await _contacts.PostJsonAsync(ConsentsUrl(person), Grant(channel: "sms"));
        await EventuallyAsync(person, "granted", channel: "sms");

        var other = await CanContactAsync(person, channel: "email");
        Assert.Equal(HttpStatusCode.OK, other.Status);
        Assert.False(other.Body.GetProperty("allowed").GetBoolean());
        Assert.Equal("no-record", other.Body.Str("reason"));

        var stranger = await CanContactAsync(Guid.CreateVersion7());
        Assert.Equal((false, "no-record"), (stranger.Body.GetProperty("allowed").GetBoolean(), stranger.Body.Str("reason")));
    }

    [Fact]
    public async Task Marketing_sees_a_grant_expire_without_any_new_event()
    {
        var person = await NewPersonAsync();
        var now = DateTime.UtcNow;
        await _contacts.PostJsonAsync(ConsentsUrl(person), Grant("newsletter", "email", validUntil: now.AddSeconds(3)));
        await _contacts.PostJsonAsync(ConsentsUrl(person), Grant("events", "email", validFrom: now.AddYears(-2), validUntil: now.AddYears(-1)));
        await _contacts.PostJsonAsync(ConsentsUrl(person), Grant("product-updates", "email", validFrom: now.AddYears(1)));

        var expired = await EventuallyAsync(person, "expired", purpose: "events");
        Assert.False(expired.Body.GetProperty("allowed").GetBoolean());
        Assert.StartsWith("Expired at ", expired.Body.Str("detail"));
        Assert.False((await EventuallyAsync(person, "not-yet-valid", purpose: "product-updates")).Body.GetProperty("allowed").GetBoolean());

        // The short grant: allowed (if the event arrived within the window), then expired, with nothing else sent.
        var first = await Eventually.ReturnsAsync(() => CanContactAsync(person), a => a.Body.Str("reason") != "no-record", "the short grant arrives");
        var consentEventsBefore = await ConsentEventsInMarketingAsync();
        if (DateTime.UtcNow < now.AddSeconds(2.5))
        {
            Assert.True(first.Body.GetProperty("allowed").GetBoolean());
        }
        var later = await EventuallyAsync(person, "expired");
        Assert.False(later.Body.GetProperty("allowed").GetBoolean());
        Assert.Equal(consentEventsBefore, await ConsentEventsInMarketingAsync());
    }

    private Task<int> ConsentEventsInMarketingAsync() => PlatformServices.QueryAsync(Platform.Marketing,
        db => db.InboxMessages.CountAsync(m => m.Consumer == ConsentReplicaConsumer<MarketingDbContext>.ConsumerName));

    [Fact]
    public async Task Can_contact_needs_a_known_purpose_and_channel()
    {
        var answer = await _marketing.GetJsonAsync($"/api/v1/marketing/contacts/{Guid.CreateVersion7()}/can-contact?purpose=lottery&channel=pigeon");
        answer.AssertProblem(HttpStatusCode.BadRequest);
        var errors = answer.Body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("purpose", out _));
        Assert.True(errors.TryGetProperty("channel", out _));
        (await _marketing.GetJsonAsync($"/api/v1/marketing/contacts/{Guid.CreateVersion7()}/can-contact")).AssertProblem(HttpStatusCode.BadRequest);
        using var anonymous = Platform.Marketing.CreateClient();
        (await anonymous.GetJsonAsync(CanContactUrl(Guid.CreateVersion7()))).AssertProblem(HttpStatusCode.Unauthorized);
    }

    private Task PublishAsync(ConsentChanged message, Guid messageId) =>
        Platform.Contacts.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId);

    private static ConsentChanged Changed(Guid consentId, Guid person, int version, string status, Guid? tenant = null) => new(
        Guid.NewGuid(), DateTime.UtcNow, tenant ?? TenantContext.DefaultTenantId, consentId, version, person, "newsletter", "email", status,
        status == "granted" ? DateTime.UtcNow.AddDays(-1) : null, null);

    private Task<int> MarketingInboxRowsAsync(Guid messageId) =>
        PlatformServices.QueryAsync(Platform.Marketing, db => db.InboxMessages.CountAsync(m => m.MessageId == messageId));

    [Fact]
    public async Task The_same_delivery_twice_is_applied_once()
    {
        var consent = Guid.CreateVersion7();
        var person = Guid.CreateVersion7();
        var messageId = Guid.NewGuid();
        await PublishAsync(Changed(consent, person, 1, "granted"), messageId);
        await EventuallyAsync(person, "granted");

        // A redelivery carries the same message id; even with another body it must not be applied again.
        await PublishAsync(Changed(consent, person, 2, "withdrawn"), messageId);
        var marker = Guid.NewGuid();
        await PublishAsync(Changed(Guid.CreateVersion7(), Guid.CreateVersion7(), 1, "granted"), marker);
        await Eventually.TrueAsync(async () => await MarketingInboxRowsAsync(marker) == 1, "a later message is processed");

        Assert.Equal("granted", (await CanContactAsync(person)).Body.Str("reason"));
        Assert.Equal(1, (await ReplicaAsync(Platform.Marketing, person))!.Version);
        Assert.Equal(1, await MarketingInboxRowsAsync(messageId));
    }

    [Fact]
    public async Task An_older_version_never_overwrites_a_newer_one()
    {
        var consent = Guid.CreateVersion7();
        var person = Guid.CreateVersion7();
        await PublishAsync(Changed(consent, person, 5, "withdrawn"), Guid.NewGuid());
        await EventuallyAsync(person, "withdrawn");

        var stale = Guid.NewGuid();
        await PublishAsync(Changed(consent, person, 4, "granted"), stale);
        await Eventually.TrueAsync(async () => await MarketingInboxRowsAsync(stale) == 1, "the stale event is processed");

        Assert.Equal("withdrawn", (await CanContactAsync(person)).Body.Str("reason"));
        Assert.Equal(5, (await ReplicaAsync(Platform.Marketing, person))!.Version);
    }

    [Fact]
    public async Task A_consent_of_another_tenant_does_not_allow_contact_in_mine()
    {
        var person = Guid.CreateVersion7();
        var messageId = Guid.NewGuid();
        await PublishAsync(Changed(Guid.CreateVersion7(), person, 1, "granted", tenant: Guid.NewGuid()), messageId);
        await Eventually.TrueAsync(async () => await MarketingInboxRowsAsync(messageId) == 1, "the event is processed");

        Assert.Equal("no-record", (await CanContactAsync(person)).Body.Str("reason"));
    }
}
