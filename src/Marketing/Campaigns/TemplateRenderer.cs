using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;
using Fluid.Values;

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
/// Renders campaign templates with Fluid, as Service renders canned responses: the data reaches the template as
/// dictionaries of strings (nothing else can be read or called), rendering is bounded (steps, recursion, output), HTML
/// parts get their values HTML-encoded. Unlike canned responses the HTML is the marketer's own design (tables, styles),
/// so it is not run through the article sanitizer. Thread-safe; parse once per campaign, render per recipient.
/// </summary>
public static class TemplateRenderer
{
    public const int MaxOutputLength = 500_000;

    private static readonly FluidParser Parser = new();

    private static readonly TemplateOptions Options = new TemplateOptionsBuilder()
        .WithMaxSteps(20_000)
        .WithMaxRecursion(20)
        .WithMaxOutputSize(MaxOutputLength)
        .Build();

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>The parse error of a part ("line 3, column 7: …"), or null when it parses.</summary>
    public static string? Check(string source)
    {
        try
        {
            Parser.Parse(source);
            return null;
        }
        catch (ParseException ex)
        {
            var message = ex.Message.Split('\n')[0].Trim();
            var at = message.LastIndexOf(" at (", StringComparison.Ordinal);
            var what = at > 0 ? message[..at] : message;
            return ex.Position is { } position ? $"line {position.Line}, column {position.Column}: {what}" : what;
        }
    }

    public static IFluidTemplate ParseOne(string source) => Parser.Parse(source);

    public static ParsedParts Parse(TemplateVariant variant) => new(Parser.Parse(variant.Subject), Parser.Parse(variant.Html), Parser.Parse(variant.Text));

    /// <exception cref="TemplateRenderException">A part failed while rendering (too many steps, output too large).</exception>
    public static async Task<RenderedEmail> RenderAsync(ParsedParts parts, TemplateData data)
    {
        var context = new TemplateContext(Options);
        foreach (var (name, fields) in data.ToVariables())
        {
            context.SetValue(name, DictionaryValue.Create(new FluidValueDictionaryFluidIndexable(
                fields.ToDictionary(f => f.Key, f => f.Value is null ? NilValue.Instance : (FluidValue)StringValue.Create(f.Value)))));
        }
        try
        {
            var subject = await parts.Subject.RenderAsync(context, NullEncoder.Default);
            var html = await parts.Html.RenderAsync(context, Html);
            var text = await parts.Text.RenderAsync(context, NullEncoder.Default);
            // A subject is one line: a value with a line break must not add header lines.
            return new RenderedEmail(string.Join(' ', subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim(), html, text);
        }
        catch (Exception ex) when (ex is InvalidOperationException or LiquidException)
        {
            throw new TemplateRenderException(ex.Message, ex);
        }
    }
}

public sealed class TemplateRenderException(string message, Exception inner) : Exception(message, inner);
