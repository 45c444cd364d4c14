using AngleSharp.Html.Parser;
using Ganss.Xss;
using Markdig;

namespace CrmPlatform.Service.Knowledge;

/// <summary>
/// Markdown to HTML that is safe to put on a public page. Markdown lets an author write raw HTML, and extensions add
/// attributes (<c>{onclick=…}</c>), so the renderer's output is untrusted: it is sanitized after rendering, against an
/// allow-list of tags, attributes and URL schemes, rather than trying to forbid dangerous input before it.
/// </summary>
public static class ArticleMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    private static readonly HtmlParser Parser = new();

    public static string ToSafeHtml(string markdown) => SanitizeHtml(Markdown.ToHtml(markdown, Pipeline));

    /// <summary>Keeps what formats text and links; drops scripts, event handlers, forms and non-web URLs.</summary>
    public static string SanitizeHtml(string html) => Sanitizer().Sanitize(html);

    /// <summary>What search indexes and snippets quote: the text a reader sees, without markup.</summary>
    public static string ToPlainText(string markdown)
    {
        using var document = Parser.ParseDocument($"<body>{ToSafeHtml(markdown)}</body>");
        return document.Body?.TextContent.Trim() ?? "";
    }

    /// <summary>A new one each time: its allow-lists are mutable sets, and articles are saved rarely enough.</summary>
    private static HtmlSanitizer Sanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "http", "https", "mailto" })
        {
            sanitizer.AllowedSchemes.Add(scheme);
        }
        // Fenced code's language-* classes and heading anchors; nothing that runs.
        sanitizer.AllowedAttributes.Add("class");
        sanitizer.AllowedAttributes.Add("id");
        sanitizer.AllowedTags.Remove("form");
        sanitizer.AllowedTags.Remove("input");
        sanitizer.AllowedTags.Remove("button");
        sanitizer.AllowedTags.Remove("textarea");
        sanitizer.AllowedTags.Remove("select");
        return sanitizer;
    }
}
