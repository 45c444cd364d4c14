using CrmPlatform.Contacts.DoubleOptIn;
using CrmPlatform.Contacts.Gdpr;
using CrmPlatform.Contacts.Duplicates;
using CrmPlatform.Contacts.Merging;
using CrmPlatform.Contacts.Imports;
using CrmPlatform.Contacts.Matching;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contacts.Settings;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Idempotency;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.Persistence.TeamDirectory;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts.Data;

public sealed class ContactsDbContext(DbContextOptions<ContactsDbContext> options, TenantContext tenant, TimeProvider clock)
    : TenantDbContext(options, tenant, clock), IIdempotencyDbContext, IEmailOutboxDbContext
{
    public DbSet<Person> People => Set<Person>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Consent> Consents => Set<Consent>();
    public DbSet<ConsentRecord> ConsentRecords => Set<ConsentRecord>();
    public DbSet<PersonEmail> PersonEmails => Set<PersonEmail>();
    public DbSet<PersonNameWord> PersonNameWords => Set<PersonNameWord>();
    public DbSet<Affiliation> Affiliations => Set<Affiliation>();
    public DbSet<PersonLink> PersonLinks => Set<PersonLink>();
    public DbSet<CustomFieldDefinition> CustomFieldDefinitions => Set<CustomFieldDefinition>();
    public DbSet<PersonExternalId> PersonExternalIds => Set<PersonExternalId>();
    public DbSet<OrganizationExternalId> OrganizationExternalIds => Set<OrganizationExternalId>();

    public DbSet<DoubleOptInRequest> DoubleOptInRequests => Set<DoubleOptInRequest>();
    public DbSet<OutgoingEmail> OutgoingEmails => Set<OutgoingEmail>();
    public DbSet<DuplicatePair> DuplicatePairs => Set<DuplicatePair>();
    public DbSet<MergeRecord> Merges => Set<MergeRecord>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();
    public DbSet<ImportRow> ImportRows => Set<ImportRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddIdempotencyRecords();
        modelBuilder.AddAuditLog();
        modelBuilder.AddTeamDirectory();
        modelBuilder.AddConsents();
        modelBuilder.AddDoubleOptIn();
        modelBuilder.AddGdpr();
        modelBuilder.AddDuplicates();
        modelBuilder.AddMerges();
        modelBuilder.AddImports();
        modelBuilder.AddContactSettings();
        modelBuilder.AddNameMatching();
        // Trigram similarity for search. A trusted extension: the database's owner (the service's role) creates it.
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.Entity<Person>(person =>
        {
            person.Property(p => p.FirstName).HasMaxLength(Person.NameMaxLength);
            person.Property(p => p.LastName).HasMaxLength(Person.NameMaxLength);
            person.Property(p => p.Email).HasMaxLength(Person.EmailMaxLength);
            person.Property(p => p.NormalizedEmail).HasMaxLength(Person.EmailMaxLength);
            person.Property(p => p.Emails).HasJsonColumn();
            person.Property(p => p.Phone).HasMaxLength(Person.PhoneMaxLength);
            person.Property(p => p.Phones).HasJsonColumn();
            person.Property(p => p.Addresses).HasJsonColumn();
            person.Property(p => p.JobTitle).HasMaxLength(Person.NameMaxLength);
            person.Property(p => p.Language).HasMaxLength(LanguageTag.MaxLength);
            person.Property(p => p.PreferredChannel).HasNameColumn();
            person.Property(p => p.Tags).HasDefaultValueSql("'{}'::text[]");
            person.Ignore(p => p.CommunicationPreferences);
            person.Ignore(p => p.Classification);
            person.Property(p => p.Segment).HasMaxLength(Classification.TextMaxLength);
            person.Property(p => p.Industry).HasMaxLength(Classification.TextMaxLength);
            // Sorting by email; uniqueness is person_emails' job, across every address of a person, not only the primary.
            person.HasIndex(p => new { p.TenantId, p.NormalizedEmail });
            person.HasIndex(p => p.Tags).HasMethod("gin");
            person.Property(p => p.CustomFields).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
            person.HasIndex(p => p.CustomFields).HasMethod("gin");
            person.Property(p => p.SearchVector).HasComputedColumnSql(SearchColumns.PersonVector, stored: true);
            person.Property(p => p.SearchText).HasComputedColumnSql(SearchColumns.PersonText, stored: true);
            person.HasIndex(p => p.SearchVector).HasMethod("gin");
            person.HasIndex(p => p.SearchText).HasMethod("gin").HasOperators("gin_trgm_ops");
            person.HasMany(p => p.EmailIndex).WithOne().HasForeignKey(e => e.PersonId).OnDelete(DeleteBehavior.Cascade);
            person.HasIndex(p => new { p.TenantId, p.CreatedAt, p.Id });
            // The list's sorts walk these in keyset order (sort key, id); the classifications' are expression indexes
            // (COALESCE: keyset keys are never null) in migration PeopleListIndexes, which their filters use too. Each
            // other filter has its own index: a value few people have would otherwise read a whole sort index to fill a page.
            person.HasIndex(p => new { p.TenantId, p.UpdatedAt, p.Id });
            person.HasIndex(p => new { p.TenantId, p.FirstName, p.Id });
            person.HasIndex(p => new { p.TenantId, p.LastName, p.Id });
            person.HasIndex(p => new { p.TenantId, p.JobTitle });
            person.HasIndex(p => new { p.TenantId, p.OwnerId });
            person.HasIndex(p => new { p.TenantId, p.Language });
            person.HasIndex(p => new { p.TenantId, p.PreferredChannel });
            person.HasIndex(p => new { p.TenantId, p.DoNotCall });
            person.HasIndex(p => new { p.TenantId, p.DoNotEmail });
            person.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId).OnDelete(DeleteBehavior.Restrict);
            // An organization's people by name, the commonest view of a company, walk this in keyset order; without it
            // the page of a 5,000-people organization read all of them (a sort index walked with the organization as
            // a filter, or all its rows sorted), over 100 ms at p99. The foreign key's checks use its first column, so
            // it replaces the organization_id index rather than adding one. Organization ids are unique across tenants.
            person.HasIndex(p => new { p.OrganizationId, p.LastName, p.Id });
        });

        modelBuilder.Entity<PersonEmail>(email =>
        {
            email.ToTable("person_emails");
            email.HasKey(e => new { e.TenantId, e.Address });
            email.Property(e => e.Address).HasMaxLength(Person.EmailMaxLength);
            email.HasIndex(e => e.PersonId);
        });

        modelBuilder.Entity<Organization>(organization =>
        {
            organization.Property(o => o.Name).HasMaxLength(Organization.NameMaxLength);
            organization.Property(o => o.Domain).HasMaxLength(Organization.DomainMaxLength);
            organization.Property(o => o.Industry).HasMaxLength(Organization.NameMaxLength);
            organization.Property(o => o.Addresses).HasJsonColumn();
            organization.Ignore(o => o.Classification);
            organization.Property(o => o.Segment).HasMaxLength(Classification.TextMaxLength);
            organization.Property(o => o.Tags).HasDefaultValueSql("'{}'::text[]");
            organization.HasIndex(o => o.Tags).HasMethod("gin");
            organization.Property(o => o.CustomFields).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
            organization.HasIndex(o => o.CustomFields).HasMethod("gin");
            organization.Property(o => o.SearchVector).HasComputedColumnSql(SearchColumns.OrganizationVector, stored: true);
            organization.Property(o => o.SearchText).HasComputedColumnSql(SearchColumns.OrganizationText, stored: true);
            organization.HasIndex(o => o.SearchVector).HasMethod("gin");
            organization.HasIndex(o => o.SearchText).HasMethod("gin").HasOperators("gin_trgm_ops");
            organization.HasIndex(o => new { o.TenantId, o.CreatedAt, o.Id });
            organization.HasOne<Organization>().WithMany().HasForeignKey(o => o.ParentOrganizationId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<Affiliation>(affiliation =>
        {
            affiliation.Property(a => a.Title).HasMaxLength(Affiliation.TitleMaxLength);
            affiliation.HasOne<Person>().WithMany().HasForeignKey(a => a.PersonId).OnDelete(DeleteBehavior.Cascade);
            affiliation.HasOne<Organization>().WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Restrict);
            affiliation.ToTable(table => table.HasCheckConstraint("ck_affiliations_period", "ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on"));
        });

        modelBuilder.Entity<PersonLink>(link =>
        {
            link.Property(l => l.Type).HasConversion(type => KindNames.Of(type), name => KindNames.Parse<PersonLinkType>(name)).HasMaxLength(30);
            link.Property(l => l.Note).HasMaxLength(PersonLink.NoteMaxLength);
            link.HasIndex(l => new { l.TenantId, l.PersonId, l.RelatedPersonId, l.Type }).IsUnique();
            link.HasIndex(l => l.RelatedPersonId);
            link.HasOne<Person>().WithMany().HasForeignKey(l => l.PersonId).OnDelete(DeleteBehavior.Cascade);
            link.HasOne<Person>().WithMany().HasForeignKey(l => l.RelatedPersonId).OnDelete(DeleteBehavior.Cascade);
            link.ToTable(table => table.HasCheckConstraint("ck_person_links_not_self", "person_id <> related_person_id"));
        });

        modelBuilder.Entity<CustomFieldDefinition>(field =>
        {
            field.Property(f => f.Entity).HasConversion(entity => KindNames.Of(entity), name => KindNames.Parse<CustomFieldEntity>(name)).HasMaxLength(30);
            field.Property(f => f.Type).HasConversion(type => KindNames.Of(type), name => KindNames.Parse<CustomFieldType>(name)).HasMaxLength(30);
            field.Property(f => f.Key).HasMaxLength(CustomFieldDefinition.KeyMaxLength);
            field.Property(f => f.Label).HasMaxLength(CustomFieldDefinition.LabelMaxLength);
            field.HasIndex(f => new { f.TenantId, f.Entity, f.Key }).IsUnique();
        });

        modelBuilder.Entity<PersonExternalId>(externalId =>
        {
            externalId.HasKey(e => new { e.TenantId, e.Source, e.ExternalId });
            externalId.Property(e => e.Source).HasMaxLength(ExternalIds.SourceMaxLength);
            externalId.Property(e => e.ExternalId).HasMaxLength(ExternalIds.IdMaxLength);
            externalId.HasIndex(e => new { e.PersonId, e.Source }).IsUnique();
            externalId.HasOne<Person>().WithMany().HasForeignKey(e => e.PersonId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<OrganizationExternalId>(externalId =>
        {
            externalId.HasKey(e => new { e.TenantId, e.Source, e.ExternalId });
            externalId.Property(e => e.Source).HasMaxLength(ExternalIds.SourceMaxLength);
            externalId.Property(e => e.ExternalId).HasMaxLength(ExternalIds.IdMaxLength);
            externalId.HasIndex(e => new { e.OrganizationId, e.Source }).IsUnique();
            externalId.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        });

        base.OnModelCreating(modelBuilder);
    }
}

internal sealed class ContactsDbContextDesignFactory : DesignTimeFactory<ContactsDbContext>;
