using System.Security.Cryptography;
using System.Text;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Journeys;

public static class JourneyStatuses
{
    /// <summary>Being built: nobody enters.</summary>
    public const string Draft = "draft";
    /// <summary>Triggers enrol people and the runner moves them along.</summary>
    public const string Active = "active";
    /// <summary>Nobody new enters and nobody moves; those inside wait where they are until it is active again.</summary>
    public const string Paused = "paused";
    /// <summary>Finished for good: those still inside exit.</summary>
    public const string Archived = "archived";

    public static readonly IReadOnlyList<string> All = [Draft, Active, Paused, Archived];

    public static bool CanMove(string from, string to) => (from, to) switch
    {
        (Draft, Active) or (Active, Paused) or (Paused, Active) => true,
        (Draft or Active or Paused, Archived) => true,
        _ => false,
    };
}

/// <summary>
/// A marketing journey: a trigger, a small graph of steps, exit criteria and a re-entry rule (<see cref="JourneyDefinition"/>).
/// Every saved definition is a new <see cref="JourneyVersion"/>; people keep the version they entered with.
/// </summary>
public sealed class Journey : UnownedAuditedEntity
{
    public const int NameMaxLength = 200;
    public const int DescriptionMaxLength = 2000;

    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string Status { get; set; } = JourneyStatuses.Draft;

    /// <summary>The current definition as the client wrote it (validated).</summary>
    public string Definition { get; set; } = "{}";
    /// <summary>The number of the current definition; new enrolments take it.</summary>
    public int DefinitionVersion { get; set; }

    // The current trigger, in columns, so an event finds its journeys by index.
    public string TriggerKind { get; set; } = "";
    public Guid? TriggerRefId { get; set; }
    public string? TriggerEvent { get; set; }
}

/// <summary>A definition as it was saved: immutable, read by the runner for the people who entered with it.</summary>
public sealed class JourneyVersion : ITenantOwned
{
    public Guid TenantId { get; set; }
    public Guid JourneyId { get; init; }
    public int Number { get; init; }
    public string Definition { get; init; } = "{}";
    public DateTime CreatedAt { get; init; }
}

public static class EnrolmentStatuses
{
    public const string Active = "active";
    public const string Completed = "completed";
    public const string Exited = "exited";
    /// <summary>A step kept failing (see <see cref="JourneyEnrolment.LastError"/>); the runner gave up.</summary>
    public const string Failed = "failed";
}

/// <summary>
/// One stay of a person in a journey. <see cref="CurrentStep"/> is the next step to run and <see cref="DueAt"/> when:
/// the timer lives in the database, so a wait survives a restart, and the runner claims due rows with SKIP LOCKED.
/// </summary>
public sealed class JourneyEnrolment : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid JourneyId { get; init; }
    public int JourneyVersion { get; init; }
    public Guid PersonId { get; init; }
    public string Status { get; set; } = EnrolmentStatuses.Active;
    public string? CurrentStep { get; set; }
    public DateTime? DueAt { get; set; }
    /// <summary>When the person entered (the keyset order of the list).</summary>
    public DateTime CreatedAt { get; init; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>Why the person left before the end: <c>left-segment</c>, <c>exit-rule</c>, <c>person-deleted</c>, <c>archived</c>.</summary>
    public string? ExitReason { get; set; }
    /// <summary>The event that enrolled the person.</summary>
    public Guid TriggerEventId { get; init; }
    /// <summary>Steps run so far: the version of the enrolment in its events.</summary>
    public int StepsExecuted { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}

/// <summary>One step run for one enrolment: the person's path. The id is derived from the enrolment and the step.</summary>
public sealed class JourneyStepExecution : ITenantOwned
{
    public Guid Id { get; init; }
    public Guid TenantId { get; set; }
    public Guid EnrolmentId { get; init; }
    /// <summary>The step's place in the person's path (1, 2, …): steps run in one go share their time.</summary>
    public int Number { get; init; }
    public string StepId { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Outcome { get; init; } = "";
    public string? Detail { get; init; }
    public DateTime ExecutedAt { get; init; }
}

/// <summary>Ids derived from what they identify, so a retried step or request yields the same id (and the inbox, outbox and keys drop the repeat).</summary>
public static class DerivedIds
{
    public static Guid From(params object[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', parts)));
        var bytes = hash.AsSpan(0, 16).ToArray();
        // RFC 9562 version 8 (custom), variant 10.
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}

public static class JourneyModel
{
    public static ModelBuilder AddJourneys(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Journey>(journey =>
        {
            journey.ToTable("journeys");
            journey.HasKey(j => j.Id);
            journey.HasIndex(j => new { j.TenantId, j.CreatedAt, j.Id });
            journey.HasIndex(j => new { j.TenantId, j.TriggerKind, j.Status });
            journey.Property(j => j.Name).HasMaxLength(Journey.NameMaxLength);
            journey.Property(j => j.Description).HasMaxLength(Journey.DescriptionMaxLength);
            journey.Property(j => j.Status).HasMaxLength(20);
            journey.Property(j => j.Definition).HasColumnType("jsonb");
            journey.Property(j => j.TriggerKind).HasMaxLength(30);
            journey.Property(j => j.TriggerEvent).HasMaxLength(60);
        });
        modelBuilder.Entity<JourneyVersion>(version =>
        {
            version.ToTable("journey_versions");
            version.HasKey(v => new { v.JourneyId, v.Number });
            version.Property(v => v.Definition).HasColumnType("jsonb");
            version.HasOne<Journey>().WithMany().HasForeignKey(v => v.JourneyId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<JourneyEnrolment>(enrolment =>
        {
            enrolment.ToTable("journey_enrolments");
            enrolment.HasKey(e => e.Id);
            enrolment.Property(e => e.CreatedAt).HasColumnName("entered_at");
            enrolment.Property(e => e.Status).HasMaxLength(20);
            enrolment.Property(e => e.CurrentStep).HasMaxLength(64);
            enrolment.Property(e => e.ExitReason).HasMaxLength(40);
            enrolment.Property(e => e.LastError).HasMaxLength(2000);
            enrolment.HasOne<Journey>().WithMany().HasForeignKey(e => e.JourneyId).OnDelete(DeleteBehavior.Cascade);
            // At most one current stay of a person in a journey, whatever the re-entry rule.
            enrolment.HasIndex(e => new { e.JourneyId, e.PersonId }).IsUnique().HasFilter("status = 'active'")
                .HasDatabaseName("ix_journey_enrolments_current");
            // The runner's timer queue.
            enrolment.HasIndex(e => e.DueAt).HasFilter("status = 'active'").HasDatabaseName("ix_journey_enrolments_due");
            enrolment.HasIndex(e => new { e.JourneyId, e.CreatedAt, e.Id });
            enrolment.HasIndex(e => new { e.TenantId, e.PersonId });
        });
        modelBuilder.Entity<JourneyStepExecution>(execution =>
        {
            execution.ToTable("journey_step_executions");
            execution.HasKey(x => x.Id);
            execution.Property(x => x.Id).ValueGeneratedNever();
            execution.Property(x => x.StepId).HasMaxLength(64);
            execution.Property(x => x.Kind).HasMaxLength(30);
            execution.Property(x => x.Outcome).HasMaxLength(30);
            execution.Property(x => x.Detail).HasMaxLength(2000);
            execution.HasOne<JourneyEnrolment>().WithMany().HasForeignKey(x => x.EnrolmentId).OnDelete(DeleteBehavior.Cascade);
            execution.HasIndex(x => new { x.EnrolmentId, x.Number }).IsUnique();
        });
        return modelBuilder;
    }
}
