using CrmPlatform.Service.Knowledge;
using CrmPlatform.Templating;

namespace CrmPlatform.Service.CannedResponses;

/// <summary>
/// Renders canned responses with the platform's Liquid (<see cref="LiquidTemplates"/>) against a
/// <see cref="TemplateModel"/>, whose fields are the allow-list. HTML bodies get their values HTML-encoded and the
/// result sanitized like articles; text bodies are left as written. Stateless and thread-safe: one instance serves the
/// application.
/// </summary>
public sealed class CannedResponseRenderer
{
    public const int MaxOutputLength = 100_000;

    private static readonly LiquidTemplates Liquid = new(maxSteps: 10_000, MaxOutputLength);

    /// <summary>Parses without rendering; a syntax error is reported with its 1-based line and column.</summary>
    public TemplateCheck Check(string source) => LiquidTemplates.Check(source);

    /// <summary>Renders <paramref name="source"/>, which must have passed <see cref="Check"/>.</summary>
    /// <exception cref="TemplateRenderException">The template failed while rendering (too many steps, output too large).</exception>
    public async Task<string> RenderAsync(string source, string format, TemplateModel model)
    {
        var html = format == ResponseFormats.Html;
        var output = await LiquidTemplates.RenderAsync(LiquidTemplates.Parse(source), Liquid.Context(model.ToVariables()), html);
        return html ? ArticleMarkdown.SanitizeHtml(output) : output;
    }
}

public static class ResponseFormats
{
    public const string Text = "text";
    public const string Html = "html";

    public static readonly IReadOnlyList<string> All = [Text, Html];
}
