using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;
using Fluid.Values;

namespace CrmPlatform.Templating;

/// <summary>Whether a template parses; where and why not.</summary>
public sealed record TemplateCheck(bool IsValid, int? Line = null, int? Column = null, string? Message = null)
{
    public static readonly TemplateCheck Valid = new(true);
}

/// <summary>A template failed while rendering (too many steps, output too large).</summary>
public sealed class TemplateRenderException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Liquid (by Fluid) for templates that users write and the platform renders for other people. The data reaches a
/// template only as dictionaries of strings by name (<c>{{ person.first_name }}</c>): no .NET object does, so nothing
/// beyond the service's own model can be read and no method called. Rendering is bounded (steps, recursion, output
/// size), so a template cannot loop a request or a send away, and in HTML every value is HTML-encoded. Which fields
/// exist, the limits and what happens to the HTML afterwards (Service sanitizes it, a campaign keeps the marketer's
/// design) stay with each service. Thread-safe: one instance per kind of template.
/// </summary>
public sealed class LiquidTemplates(int maxSteps, int maxOutputLength)
{
    private static readonly FluidParser Parser = new();

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly TemplateOptions _options = new TemplateOptionsBuilder()
        .WithMaxSteps(maxSteps)
        .WithMaxRecursion(20)
        .WithMaxOutputSize(maxOutputLength)
        .Build();

    public int MaxOutputLength => maxOutputLength;

    /// <summary>Parses without rendering; a syntax error is reported with its 1-based line and column.</summary>
    public static TemplateCheck Check(string source)
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

    /// <exception cref="ParseException">The source does not parse (see <see cref="Check"/>).</exception>
    public static IFluidTemplate Parse(string source) => Parser.Parse(source);

    /// <summary>The variables of one rendering: objects of string fields by name; a null field is nil.</summary>
    public TemplateContext Context(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> variables)
    {
        var context = new TemplateContext(_options);
        foreach (var (name, fields) in variables)
        {
            context.SetValue(name, DictionaryValue.Create(new FluidValueDictionaryFluidIndexable(
                fields.ToDictionary(f => f.Key, f => f.Value is null ? NilValue.Instance : (FluidValue)StringValue.Create(f.Value)))));
        }
        return context;
    }

    /// <summary>Renders a parsed template; with <paramref name="html"/> every value is HTML-encoded.</summary>
    /// <exception cref="TemplateRenderException">The template failed while rendering (too many steps, output too large).</exception>
    public static async Task<string> RenderAsync(IFluidTemplate template, TemplateContext context, bool html)
    {
        try
        {
            return await template.RenderAsync(context, html ? Html : NullEncoder.Default);
        }
        catch (Exception ex) when (ex is InvalidOperationException or LiquidException)
        {
            throw new TemplateRenderException(ex.Message, ex);
        }
    }
}
