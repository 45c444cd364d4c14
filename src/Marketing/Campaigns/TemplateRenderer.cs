using CrmPlatform.Templating;
using Fluid;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>What a campaign template can say about its recipient and campaign: strings only, by snake_case name.</summary>
public sealed record TemplateData(string? FirstName, string? LastName, string? Email, string? Language, string? CampaignName, string? UnsubscribeUrl)
{
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ToVariables() => new Dictionary<string, IReadOnlyDictionary<string, string?>>
    {
        ["person"] = new Dictionary<string, string?>
        {
            ["first_name"] = Blank(FirstName),
            ["last_name"] = Blank(LastName),
            ["name"] = Blank(string.Join(' ', new[] { FirstName, LastName }.Where(p => !string.IsNullOrWhiteSpace(p)))),
            ["email"] = Blank(Email),
            ["language"] = Blank(Language),
        },
        ["campaign"] = new Dictionary<string, string?> { ["name"] = Blank(CampaignName) },
        ["unsubscribe"] = new Dictionary<string, string?> { ["url"] = Blank(UnsubscribeUrl) },
    };

    // An empty value is no value: `default` then gives the fallback ("Hi {{ person.first_name | default: "there" }}").
    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>The parsed parts of one template variant, ready to render many times.</summary>
public sealed record ParsedParts(IFluidTemplate Subject, IFluidTemplate Html, IFluidTemplate Text);

/// <summary>The rendered email of one recipient.</summary>
public sealed record RenderedEmail(string Subject, string Html, string Text);

/// <summary>
/// Renders campaign templates with the platform's Liquid (<see cref="LiquidTemplates"/>: string-only model, bounded,
/// values HTML-encoded in the HTML part), as Service renders canned responses. Unlike canned responses the HTML is the
/// marketer's own design (tables, styles), so it is not run through the article sanitizer. Thread-safe; parse once per
/// campaign, render per recipient.
/// </summary>
public static class TemplateRenderer
{
    public const int MaxOutputLength = 500_000;

    private static readonly LiquidTemplates Liquid = new(maxSteps: 20_000, MaxOutputLength);

    /// <summary>The parse error of a part ("line 3, column 7: …"), or null when it parses.</summary>
    public static string? Check(string source) => LiquidTemplates.Check(source) switch
    {
        { IsValid: true } => null,
        { Line: { } line, Column: { } column } check => $"line {line}, column {column}: {check.Message}",
        var check => check.Message,
    };

    public static IFluidTemplate ParseOne(string source) => LiquidTemplates.Parse(source);

    public static ParsedParts Parse(TemplateVariant variant) => new(ParseOne(variant.Subject), ParseOne(variant.Html), ParseOne(variant.Text));

    /// <exception cref="TemplateRenderException">A part failed while rendering (too many steps, output too large).</exception>
    public static async Task<RenderedEmail> RenderAsync(ParsedParts parts, TemplateData data)
    {
        var context = Liquid.Context(data.ToVariables());
        var subject = await LiquidTemplates.RenderAsync(parts.Subject, context, html: false);
        var html = await LiquidTemplates.RenderAsync(parts.Html, context, html: true);
        var text = await LiquidTemplates.RenderAsync(parts.Text, context, html: false);
        // A subject is one line: a value with a line break must not add header lines.
        return new RenderedEmail(string.Join(' ', subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim(), html, text);
    }
}
