using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Consents;

namespace CrmPlatform.Tests.Consents;

/// <summary>The one "may we contact" rule, at times this test chooses: exactly when a window opens and closes.</summary>
public sealed class ContactRuleTests
{
    private static readonly DateTime Now = new(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private sealed record State(string Status, DateTime? ValidFrom, DateTime? ValidUntil, DateTime ChangedAt) : IConsentState;

    private static State Granted(DateTime? from, DateTime? until) => new(ConsentValues.Granted, from, until, Now.AddDays(-30));

    [Fact]
    public void No_record_is_no_consent() =>
        Assert.Equal((false, ContactReasons.NoRecord), Outcome(null));

    [Fact]
    public void A_grant_counts_from_its_first_instant_until_just_before_its_end()
    {
        Assert.Equal((true, ContactReasons.Granted), Outcome(Granted(Now, Now.AddTicks(1))));
        Assert.Equal((false, ContactReasons.NotYetValid), Outcome(Granted(Now.AddTicks(1), null)));
        Assert.Equal((false, ContactReasons.Expired), Outcome(Granted(Now.AddDays(-1), Now)));
        Assert.Equal((true, ContactReasons.Granted), Outcome(Granted(null, null)));
    }

    [Fact]
    public void The_decision_says_until_when_or_since_when()
    {
        var until = Now.AddDays(10);
        var granted = ContactRule.Decide(Granted(Now.AddDays(-1), until), Now);
        Assert.Equal(until, granted.Until);
        Assert.Equal("Granted until 2026-06-11T12:00:00Z.", granted.Detail);

        var withdrawnAt = Now.AddHours(-2);
        var withdrawn = ContactRule.Decide(new State(ConsentValues.Withdrawn, null, null, withdrawnAt), Now);
        Assert.Equal((false, ContactReasons.Withdrawn, withdrawnAt), (withdrawn.Allowed, withdrawn.Reason, withdrawn.Since));
        Assert.Equal("Withdrawn at 2026-06-01T10:00:00Z.", withdrawn.Detail);

        var expired = ContactRule.Decide(Granted(Now.AddDays(-10), Now.AddDays(-1)), Now);
        Assert.Equal(Now.AddDays(-1), expired.Until);
    }

    [Fact]
    public void A_status_this_code_does_not_know_never_allows_contact() =>
        Assert.False(ContactRule.Decide(new State("pending-double-opt-in", null, null, Now), Now).Allowed);

    private static (bool, string) Outcome(IConsentState? state)
    {
        var decision = ContactRule.Decide(state, Now);
        return (decision.Allowed, decision.Reason);
    }
}
