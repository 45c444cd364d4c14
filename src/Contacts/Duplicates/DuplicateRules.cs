namespace CrmPlatform.Contacts.Duplicates;

/// <summary>
/// The duplicate rules, as SQL over the tenant's records so that no tenant is ever loaded into memory. A probe (a
/// record being created, one just saved, a batch of the scan or of an import) finds its candidates through indexes only
/// ("blocking": same email key, same phone number, a name that sounds the same: equal Kölner codes of first and last
/// name, <c>people.name_sound</c>; for organizations same domain or similar name), and each candidate is scored with its
/// reasons:
/// <list type="table">
/// <item><term>people</term><description>
/// <c>same-email</c> 80 (an address equal after lower-casing and dropping a <c>+tag</c>: <c>ada+crm@x.com</c> is
/// <c>ada@x.com</c>; an identical address is not this rule's: it cannot belong to two people at all, and a create
/// with one answers the unique address's own 409, which no <c>allowDuplicates</c> overrides), <c>same-phone</c> 50 (any number, E.164),
/// one name rule, the best that applies: <c>similar-name</c> 50 × trigram similarity of "first last" (from 0.6),
/// <c>folded-name</c> 50 or <c>sounds-alike</c> 50/40 (German-aware, <see cref="Matching.NameMatching"/>), and, only
/// together with a name rule, <c>same-organization</c> 40 and <c>same-email-domain</c> 20 (a company domain, not a free
/// mail provider). The SQL gathers the evidence; <see cref="PersonScoring"/> scores it, so the name rules are one C#
/// implementation whichever way a probe comes.
/// </description></item>
/// <item><term>organizations</term><description>
/// <c>same-domain</c> 80, <c>similar-name</c> 60 × similarity of the names without legal forms (Inc, GmbH…) and
/// punctuation (from 0.6).
/// </description></item>
/// </list>
/// A total of <see cref="Strong"/> or more is a strong match (a create answers 409 unless told to go ahead);
/// <see cref="Possible"/> or more is listed for review. Erased people (GDPR) are never probes nor candidates: their
/// placeholders all look alike, and an erased record has nothing left to merge.
/// </summary>
internal static class DuplicateRules
{
    public const int Strong = 80;
    public const int Possible = 50;
    /// <summary>Name matches per probe considered at most; a very common name must not flood a probe.</summary>
    public const int NameCandidates = 50;

    public const int SameEmailPoints = 80;
    public const int SamePhonePoints = 50;
    public const int SameOrganizationPoints = 40;
    public const int SameEmailDomainPoints = 20;

    /// <summary>Mail providers whose domain says nothing about where someone works.</summary>
    public static readonly string[] FreeMailDomains =
        ["gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com", "me.com", "aol.com",
         "gmx.de", "gmx.net", "web.de", "proton.me", "protonmail.com", "mail.ru", "yandex.ru"];

    private static readonly string FreeMail = $"ARRAY[{string.Join(',', FreeMailDomains.Select(d => $"'{d}'"))}]";

    /// <summary>An address as the rule compares it; the same expression is indexed on person_emails (and <see cref="InBatchDuplicates"/> repeats it in C#).</summary>
    public const string EmailKey = @"regexp_replace(address, '\+[^@]*@', '@')";
    public const string PersonName = "lower(p.first_name || ' ' || p.last_name)";
    public const string OrganizationName = "lower(o.name)";
    public const string OrganizationNameKey =
        @"btrim(regexp_replace(regexp_replace(lower({0}), '[[:punct:]]|\m(inc|ltd|llc|gmbh|ag|sa|plc|corp|co|limited|corporation|company|se|bv|nv|srl|sarl)\M', ' ', 'g'), '\s+', ' ', 'g'))";

    /// <summary>
    /// Person probes from values (records being created or imported): @probes, a JSON array of
    /// { id, first_name, last_name, emails, phones, organization_id }; the id is null for a single create.
    /// </summary>
    public static readonly string PersonProbeFromValues = $"""
        SELECT x.id, x.first_name, x.last_name, lower(x.first_name || ' ' || x.last_name) AS name,
               crm_name_sound(x.first_name, x.last_name) AS name_sound, x.emails,
               ARRAY(SELECT regexp_replace(a, '\+[^@]*@', '@') FROM unnest(x.emails) a) AS email_keys,
               ARRAY(SELECT split_part(a, '@', 2) FROM unnest(x.emails) a WHERE split_part(a, '@', 2) <> ALL({FreeMail})) AS domains,
               x.phones, x.organization_id, row_number() OVER () AS n
        FROM jsonb_to_recordset(@probes) AS x(id uuid, first_name text, last_name text, emails text[], phones text[], organization_id uuid)
        """;

    /// <summary>Probes from stored people: the ids in @ids.</summary>
    public static readonly string PersonProbeFromRows = $"""
        SELECT p.id, p.first_name, p.last_name, {PersonName} AS name, p.name_sound,
               ARRAY(SELECT e->>'address' FROM jsonb_array_elements(p.emails) e) AS emails,
               ARRAY(SELECT regexp_replace(e->>'address', '\+[^@]*@', '@') FROM jsonb_array_elements(p.emails) e) AS email_keys,
               ARRAY(SELECT split_part(e->>'address', '@', 2) FROM jsonb_array_elements(p.emails) e
                     WHERE split_part(e->>'address', '@', 2) <> ALL({FreeMail})) AS domains,
               ARRAY(SELECT e->>'number' FROM jsonb_array_elements(p.phones) e) AS phones, p.organization_id, row_number() OVER () AS n
        FROM people p WHERE p.tenant_id = @tenant AND p.id = ANY(@ids) AND p.erased_at IS NULL
        """;

    /// <summary>
    /// Each probe's candidates with the evidence (<see cref="PersonEvidence"/>): both names, their trigram similarity,
    /// the contact-point reasons, and the reasons that count only beside a name rule. Probes are joined back by their
    /// row number <c>n</c>, not their id: a single create's id is null, and a join on <c>IS NOT DISTINCT FROM</c>
    /// cannot hash (it compared every candidate with every probe of a batch, 4.7 million comparisons per 1,000 rows).
    /// <paramref name="strongOnly"/> asks only for what can reach <see cref="Strong"/> (an import sets those aside and
    /// lets the rest in): a name rule is worth at most 50 and the email domain 20, so a candidate found by its name
    /// alone is strong only in the probe's organization, and the name arm looks there alone.
    /// </summary>
    public static string PersonMatches(string probe, bool strongOnly = false) => $$"""
        WITH probe AS ({{probe}}),
        candidates AS (
            SELECT DISTINCT pr.n, c.id AS candidate_id
            FROM probe pr CROSS JOIN LATERAL (
                SELECT e.person_id AS id FROM person_emails e
                WHERE e.tenant_id = @tenant AND {{EmailKey}} = ANY(pr.email_keys) AND e.address <> ALL(pr.emails)
                UNION
                SELECT p.id FROM people p, unnest(pr.phones) n
                WHERE p.tenant_id = @tenant AND p.phones @> jsonb_build_array(jsonb_build_object('number', n))
                UNION
                (SELECT p.id FROM people p WHERE p.tenant_id = @tenant AND p.name_sound = pr.name_sound
                 {{(strongOnly ? "AND p.organization_id = pr.organization_id" : "")}} LIMIT {{NameCandidates}})
            ) c
            WHERE pr.id IS NULL OR c.id <> pr.id
        )
        SELECT pr.id AS probe_id, p.id AS candidate_id, pr.first_name AS probe_first_name, pr.last_name AS probe_last_name,
               p.first_name AS candidate_first_name, p.last_name AS candidate_last_name,
               similarity({{PersonName}}, pr.name)::float8 AS similarity,
               (SELECT coalesce(jsonb_agg(x.reason), '[]'::jsonb) FROM (
                    SELECT jsonb_build_object('rule', 'same-email', 'field', 'emails', 'values', to_jsonb(array_agg(e.address ORDER BY e.address)), 'points', {{SameEmailPoints}}) AS reason
                    FROM person_emails e WHERE e.tenant_id = @tenant AND e.person_id = p.id AND {{EmailKey}} = ANY(pr.email_keys)
                      AND e.address <> ALL(pr.emails) HAVING count(*) > 0
                    UNION ALL
                    SELECT jsonb_build_object('rule', 'same-phone', 'field', 'phones', 'values', to_jsonb(array_agg(n ORDER BY n)), 'points', {{SamePhonePoints}})
                    FROM unnest(pr.phones) n WHERE p.phones @> jsonb_build_array(jsonb_build_object('number', n)) HAVING count(*) > 0
               ) x)::text AS contact_reasons,
               (SELECT coalesce(jsonb_agg(x.reason), '[]'::jsonb) FROM (
                    SELECT jsonb_build_object('rule', 'same-organization', 'field', 'organizationId', 'values', jsonb_build_array(p.organization_id), 'points', {{SameOrganizationPoints}}) AS reason
                    WHERE p.organization_id = pr.organization_id
                    UNION ALL
                    SELECT jsonb_build_object('rule', 'same-email-domain', 'field', 'emails', 'values', to_jsonb(array_agg(DISTINCT d)), 'points', {{SameEmailDomainPoints}})
                    FROM unnest(pr.domains) d
                    WHERE EXISTS (SELECT 1 FROM person_emails e WHERE e.tenant_id = @tenant AND e.person_id = p.id AND split_part(e.address, '@', 2) = d)
                    HAVING count(*) > 0
               ) x)::text AS name_reasons
        FROM candidates c
        JOIN probe pr ON pr.n = c.n
        -- One person per id; the LIMIT also keeps this a lookup per candidate. As a plain join the planner, which
        -- cannot know how few candidates the phone arm finds, merged them with every person in id order (1.2 s).
        CROSS JOIN LATERAL (
            SELECT p.* FROM people p WHERE p.id = c.candidate_id AND p.tenant_id = @tenant AND p.erased_at IS NULL LIMIT 1
        ) p
        """;

    /// <summary>Organization probes from values: @probes, a JSON array of { id, name, domain }; the id is null for a single create.</summary>
    public static readonly string OrganizationProbeFromValues = $"""
        SELECT x.id, {string.Format(OrganizationNameKey, "x.name")} AS name_key, lower(x.name) AS name, x.domain, row_number() OVER () AS n
        FROM jsonb_to_recordset(@probes) AS x(id uuid, name text, domain text)
        """;

    public static readonly string OrganizationProbeFromRows = $"""
        SELECT o.id, {string.Format(OrganizationNameKey, "o.name")} AS name_key, {OrganizationName} AS name, o.domain, row_number() OVER () AS n
        FROM organizations o WHERE o.tenant_id = @tenant AND o.id = ANY(@ids)
        """;

    /// <summary>Each probe's scored candidates; probes are joined back by row number, as in <see cref="PersonMatches"/>.</summary>
    public static string OrganizationMatches(string probe) => $$"""
        WITH probe AS ({{probe}}),
        candidates AS (
            SELECT DISTINCT pr.n, c.id AS candidate_id
            FROM probe pr CROSS JOIN LATERAL (
                SELECT o.id FROM organizations o WHERE o.tenant_id = @tenant AND o.domain = pr.domain
                UNION
                (SELECT o.id FROM organizations o WHERE o.tenant_id = @tenant AND {{OrganizationName}} % pr.name LIMIT {{NameCandidates}})
            ) c
            WHERE pr.id IS NULL OR c.id <> pr.id
        )
        SELECT pr.id AS probe_id, o.id AS candidate_id, r.score::int AS score, r.reasons::text AS reasons
        FROM candidates c
        JOIN probe pr ON pr.n = c.n
        JOIN organizations o ON o.id = c.candidate_id AND o.tenant_id = @tenant
        CROSS JOIN LATERAL (SELECT similarity({{string.Format(OrganizationNameKey, "o.name")}}, pr.name_key) AS s) sim
        CROSS JOIN LATERAL (
            SELECT coalesce(sum((x.reason->>'points')::int), 0) AS score, coalesce(jsonb_agg(x.reason), '[]'::jsonb) AS reasons FROM (
                SELECT jsonb_build_object('rule', 'same-domain', 'field', 'domain', 'values', jsonb_build_array(o.domain), 'points', 80) AS reason
                WHERE o.domain = pr.domain
                UNION ALL
                SELECT jsonb_build_object('rule', 'similar-name', 'field', 'name', 'values', jsonb_build_array(pr.name, {{OrganizationName}}),
                                          'similarity', round(sim.s::numeric, 2), 'points', round(60 * sim.s)::int)
                WHERE sim.s >= 0.6
            ) x
        ) r
        WHERE r.score >= {{Possible}}
        """;
}
