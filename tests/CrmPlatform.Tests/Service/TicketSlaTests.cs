using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.Service.Sla.Policies;
using static CrmPlatform.Tests.Service.SlaTestCalendars;

namespace CrmPlatform.Tests.Service;

/// <summary>A ticket's SLA clock and its view, on the Berlin office calendar (08:00–12:00, 13:00–17:00 CET = UTC+1), by hand.</summary>
public sealed class TicketSlaTests
{
    private static readonly CrmPlatform.Service.Sla.Calendars.BusinessClock Office = BerlinOffice().Clock();

    /// <summary>Normal: first response in 4 h, resolution in 16 h; urgent: 1 h and 4 h; warnings at 80 %.</summary>
    private static SlaPolicy Policy() => new()
    {
        Name = "Standard",
        WarningPercent = 80,
        Targets =
        [
            new SlaTarget(SlaPriorities.Low, 480, 2400), new SlaTarget(SlaPriorities.Normal, 240, 960),
            new SlaTarget(SlaPriorities.High, 120, 480), new SlaTarget(SlaPriorities.Urgent, 60, 240),
        ],
    };

    /// <summary>Monday 16 November 2026, 09:00 CET.</summary>
    private static TicketSla Started() =>
        TicketSla.Start(Guid.NewGuid(), SlaPriorities.Normal, null, Utc("2026-11-16T08:00:00Z"), Policy(), null, null, Office);

    [Fact]
    public void Starting_precomputes_due_and_warning_instants()
    {
        var sla = Started();
        // 4 h from 09:00: 09–12, 13–14 CET. 80 % = 3 h 12 min: 13:12 CET.
        Assert.Equal(Utc("2026-11-16T13:00:00Z"), sla.FirstResponse.DueAt);
        Assert.Equal(Utc("2026-11-16T12:12:00Z"), sla.FirstResponse.WarnAt);
        // 16 h: Monday 7 h, Tuesday 8 h, Wednesday 08:00–09:00 CET.
        Assert.Equal(Utc("2026-11-18T08:00:00Z"), sla.Resolution.DueAt);
        Assert.Equal((240 * 60, 960 * 60), (sla.FirstResponse.TargetSeconds, sla.Resolution.TargetSeconds));
    }

    [Fact]
    public void Pausing_keeps_the_business_time_used_and_resuming_recomputes_from_what_remains()
    {
        var sla = Started();
        // Pending at 11:00 CET after 2 business hours.
        sla.Pause(Utc("2026-11-16T10:00:00Z"), Office);
        Assert.Equal((7200L, 7200L), (sla.FirstResponse.UsedSeconds, sla.Resolution.UsedSeconds));
        Assert.Null(sla.FirstResponse.DueAt);
        var paused = SlaView.Of(sla, Office, Utc("2026-11-17T08:00:00Z"));
        Assert.Equal((SlaView.PausedStatus, 7200L, 7200L), (paused.FirstResponse.Status, paused.FirstResponse.UsedSeconds, paused.FirstResponse.RemainingSeconds));
        Assert.True(paused.Paused);

        // Back on Tuesday 10:00 CET: 2 h of first response left (12:00 CET), 14 h of resolution (Tuesday 6 h, Wednesday 8 h: 17:00 CET).
        sla.Resume(Utc("2026-11-17T09:00:00Z"), Office);
        Assert.Equal(Utc("2026-11-17T11:00:00Z"), sla.FirstResponse.DueAt);
        Assert.Equal(Utc("2026-11-18T16:00:00Z"), sla.Resolution.DueAt);
        // The warning at 3 h 12 min used: 1 h 12 min after resuming, 11:12 CET.
        Assert.Equal(Utc("2026-11-17T10:12:00Z"), sla.FirstResponse.WarnAt);

        // At 11:00 CET: 3 h used, 1 h left, running.
        var running = SlaView.Of(sla, Office, Utc("2026-11-17T10:00:00Z"));
        Assert.Equal((SlaView.Running, 10800L, 3600L), (running.FirstResponse.Status, running.FirstResponse.UsedSeconds, running.FirstResponse.RemainingSeconds));

        // A reply at 11:30 CET is in time; solving on Thursday 09:00 CET is after Wednesday 17:00 CET.
        Assert.False(sla.RespondedAt(Utc("2026-11-17T10:30:00Z"), Office));
        Assert.Equal((false, true), sla.ResolvedAt(Utc("2026-11-19T08:00:00Z"), Office));
        var done = SlaView.Of(sla, Office, Utc("2026-11-20T08:00:00Z"));
        Assert.Equal((SlaView.Met, SlaView.Breached), (done.FirstResponse.Status, done.Resolution.Status));
        Assert.Equal(12600L, done.FirstResponse.UsedSeconds);
    }

    [Fact]
    public void The_view_shows_a_breach_once_the_due_instant_passed()
    {
        var sla = Started();
        var view = SlaView.Of(sla, Office, Utc("2026-11-16T13:30:00Z"));
        Assert.Equal((SlaView.Breached, 0L), (view.FirstResponse.Status, view.FirstResponse.RemainingSeconds));
        Assert.Equal(SlaView.Running, view.Resolution.Status);
        // A reply after the due instant records the breach the sweep may not have published yet.
        Assert.True(sla.RespondedAt(Utc("2026-11-16T13:30:00Z"), Office));
        Assert.Equal(Utc("2026-11-16T13:30:00Z"), sla.FirstResponse.BreachedAt);
    }

    [Fact]
    public void A_priority_change_applies_the_new_targets_to_the_time_already_used()
    {
        var sla = Started();
        // Urgent at 09:30 CET: 30 min used of its 1 h first response: due 10:00 CET; resolution 4 h: 3.5 h left, 12:00 + 1 h = 14:00 CET.
        sla.ChangePriority(SlaPriorities.Urgent, Policy(), Utc("2026-11-16T08:30:00Z"), Office);
        Assert.Equal(Utc("2026-11-16T09:00:00Z"), sla.FirstResponse.DueAt);
        Assert.Equal(Utc("2026-11-16T13:00:00Z"), sla.Resolution.DueAt);
        Assert.Equal(SlaPriorities.Urgent, sla.Priority);
    }

    [Fact]
    public void A_warning_moved_into_the_future_is_armed_again()
    {
        var sla = Started();
        sla.FirstResponse.WarnedAt = Utc("2026-11-16T12:12:00Z");
        sla.Pause(Utc("2026-11-16T12:30:00Z"), Office);
        // Down to low priority: 8 h first response; 3 h 30 min used, so its warning (at 6 h 24 min) is ahead again: 16:54 CET.
        sla.ChangePriority(SlaPriorities.Low, Policy(), Utc("2026-11-16T12:40:00Z"), Office);
        sla.Resume(Utc("2026-11-16T13:00:00Z"), Office);
        Assert.Null(sla.FirstResponse.WarnedAt);
        Assert.Equal(Utc("2026-11-16T15:54:00Z"), sla.FirstResponse.WarnAt);
    }
}
