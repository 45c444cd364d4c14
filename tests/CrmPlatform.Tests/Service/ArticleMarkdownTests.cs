using CrmPlatform.Service.Knowledge;

namespace CrmPlatform.Tests.Service;

/// <summary>Markdown to safe HTML: what formats text stays, whatever could run in a reader's browser goes.</summary>
public sealed class ArticleMarkdownTests
{
    [Fact]
    public void Formatting_links_and_code_survive()
    {
        var html = ArticleMarkdown.ToSafeHtml("# Rechnung\n\nSiehe [Hilfe](https://example.com/hilfe) und **fett**.\n\n```csharp\nvar x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |");

        Assert.Contains("<h1", html);
        Assert.Contains("<a href=\"https://example.com/hilfe\">Hilfe</a>", html);
        Assert.Contains("<strong>fett</strong>", html);
        Assert.Contains("<code class=\"language-csharp\">", html);
        Assert.Contains("<table>", html);
    }

    [Theory]
    [InlineData("Hello <script>alert('x')</script> world", "<script")]
    [InlineData("<img src=\"x.png\" onerror=\"alert(1)\">", "onerror")]
    [InlineData("[click](javascript:alert(1))", "javascript:")]
    [InlineData("<a href=\"JaVaScRiPt:alert(1)\">x</a>", "alert")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "data:")]
    [InlineData("A paragraph {onclick=\"alert(1)\"}\n", "onclick")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>", "<iframe")]
    [InlineData("<form action=\"https://evil.example\"><input name=\"password\"></form>", "<input")]
    [InlineData("<div style=\"background:url(javascript:alert(1))\">x</div>", "javascript")]
    public void Whatever_could_run_is_removed(string markdown, string forbidden)
    {
        var html = ArticleMarkdown.ToSafeHtml(markdown);

        Assert.DoesNotContain(forbidden, html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_plain_text_for_search_has_no_markup_and_no_script_text()
    {
        var text = ArticleMarkdown.ToPlainText("## Rückerstattung\n\nSo **beantragen** Sie sie.<script>stealCookies()</script>");

        Assert.Contains("Rückerstattung", text);
        Assert.Contains("So beantragen Sie sie.", text);
        Assert.DoesNotContain("stealCookies", text);
        Assert.DoesNotContain("<", text);
    }
}
