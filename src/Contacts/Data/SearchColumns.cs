namespace CrmPlatform.Contacts.Data;

/// <summary>
/// The generated columns search reads. Generated columns may only use immutable functions: to_tsvector with an explicit
/// configuration, jsonb path queries, casts of jsonb to text, and <c>tags_text</c> (array_to_string declared immutable
/// for text arrays, where it is). The 'simple' configuration neither stems nor drops stop words: names are not English.
/// <c>people.organization_name</c> is kept by triggers (a generated column cannot read another table).
/// </summary>
internal static class SearchColumns
{
    private const string EmailAddresses = "jsonb_path_query_array(emails, '$[*].address')";

    /// <summary>E.164 numbers without the '+', so that '442079460000' finds '+442079460000'.</summary>
    private const string PhoneNumbers = "translate(jsonb_path_query_array(phones, '$[*].number')::text, '[]\",+', '    ')";

    public const string PersonVector =
        "setweight(to_tsvector('simple'::regconfig, first_name || ' ' || last_name), 'A')"
        + $" || setweight(jsonb_to_tsvector('simple'::regconfig, {EmailAddresses}, '[\"string\"]'), 'B')"
        + $" || setweight(to_tsvector('simple'::regconfig, {PhoneNumbers}), 'B')"
        + " || setweight(to_tsvector('simple'::regconfig, coalesce(organization_name, '') || ' ' || tags_text(tags)), 'C')";

    public const string PersonText =
        "lower(first_name || ' ' || last_name || ' ' || coalesce(organization_name, '') || ' ' || tags_text(tags)"
        + $" || ' ' || translate({EmailAddresses}::text, '[]\",', '    '))";

    public const string OrganizationVector =
        "setweight(to_tsvector('simple'::regconfig, name), 'A')"
        + " || setweight(to_tsvector('simple'::regconfig, coalesce(domain, '')), 'B')"
        + " || setweight(to_tsvector('simple'::regconfig, coalesce(industry, '') || ' ' || tags_text(tags)), 'C')";

    public const string OrganizationText = "lower(name || ' ' || coalesce(domain, '') || ' ' || tags_text(tags))";
}
