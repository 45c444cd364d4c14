using System.Text.Encodings.Web;
using System.Text.Unicode;
using CrmPlatform.Service.Knowledge;
using Fluid;
using Fluid.Values;

namespace CrmPlatform.Service.CannedResponses;

/// <summary>Whether a template parses; where and why not.</summary>
public sealed record TemplateCheck(bool IsValid, int? Line = null, int? Column = null, string? Message = null)
{
    public static readonly TemplateCheck Valid = new(true);
}

/// <summary>
/// Renders canned responses (Liquid, by Fluid) against a <see cref="TemplateModel"/>. The model reaches the template as
/// dictionaries of strings, so the allow-list is the model itself; rendering is bounded (steps, recursion, output size)
/// so a template cannot loop a request away. HTML bodies get their values HTML-encoded and the result sanitized like
/// articles; text bodies are left as written. Stateless and thread-safe: one instance serves the application.
/// </summary>
public sealed class CannedResponseRenderer
{
    public const int MaxOutputLength = 100_000;

    private static readonly FluidParser Parser = new();

    private static readonly TemplateOptions Options = new TemplateOptionsBuilder()
        .WithMaxSteps(10_000)
        .WithMaxRecursion(20)
        .WithMaxOutputSize(MaxOutputLength)
        .Build();

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Parses without rendering; a syntax error is reported with its 1-based line and column.</summary>
    public TemplateCheck Check(string source)
    {
        try
        {
            Parser.Parse(source);
            return TemplateCheck.Valid;
        }
        catch (ParseException ex)
        {
            // Fluid appends the source line to its message; the line and column say where.
            var message = ex.Message.Split('\n')[0].Trim();
            var at = message.LastIndexOf(" at (", StringComparison.Ordinal);
            return new TemplateCheck(false, ex.Position?.Line, ex.Position?.Column, at > 0 ? message[..at] : message);
        }
    }

    /// <summary>Renders <paramref name="source"/>, which must have passed <see cref="Check"/>.</summary>
    /// <exception cref="TemplateRenderException">The template failed while rendering (too many steps, output too large).</exception>
    public async Task<string> RenderAsync(string source, string format, TemplateModel model)
    {
        var template = Parser.Parse(source);
        var context = new TemplateContext(Options);
        foreach (var (name, fields) in model.ToVariables())
        {
            context.SetValue(name, DictionaryValue.Create(new FluidValueDictionaryFluidIndexable(
                fields.ToDictionary(f => f.Key, f => f.Value is null ? NilValue.Instance : (FluidValue)StringValue.Create(f.Value)))));
        }
        string output;
        try
        {
            output = format == ResponseFormats.Html
                ? await template.RenderAsync(context, Html)
                : await template.RenderAsync(context, NullEncoder.Default);
        }
        catch (Exception ex) when (ex is InvalidOperationException or LiquidException)
        {
            throw new TemplateRenderException(ex.Message, ex);
        }
        return format == ResponseFormats.Html ? ArticleMarkdown.SanitizeHtml(output) : output;
    }
}

public sealed class TemplateRenderException(string message, Exception inner) : Exception(message, inner);

public static class ResponseFormats
{
    public const string Text = "text";
    public const string Html = "html";

    public static readonly IReadOnlyList<string> All = [Text, Html];
}
