using System.Text.Encodings.Web;

namespace CrmPlatform.Marketing.Forms;

/// <summary>
/// The HTML a tenant's page embeds for a form: the fields and consent boxes with their labels and wording (encoded:
/// they are the tenant's text), the honeypot (off-screen, skipped by keyboards and autofill, so only bots fill it) and
/// a fresh form token. A few lines of script send it with <c>fetch</c> and show the form's message or go to its
/// redirect; without script the browser posts the form and shows the JSON answer.
/// </summary>
public static class FormSnippet
{
    public static string Render(WebForm form, string submitUrl, string token)
    {
        var html = new System.Text.StringBuilder();
        html.Append($"""<form class="crm-form" method="post" action="{Attr(submitUrl)}" data-crm-form="{form.Id}">""").Append('\n');
        foreach (var field in form.Fields)
        {
            var required = field.Required ? " required" : "";
            var input = field.Type == "textarea"
                ? $"""<textarea name="{Attr(field.Key)}"{required}></textarea>"""
                : $"""<input type="{Attr(field.Type)}" name="{Attr(field.Key)}"{required}>""";
            html.Append($"""  <label>{Text(field.Label)}{(field.Required ? " *" : "")} {input}</label>""").Append('\n');
        }
        foreach (var consent in form.Consents)
        {
            var required = consent.Required ? " required" : "";
            html.Append($"""  <label><input type="checkbox" name="{Attr(consent.Key)}" value="yes"{required}> {Text(consent.Text)}</label>""").Append('\n');
        }
        html.Append("""  <div style="position:absolute;left:-10000px" aria-hidden="true"><label>Website <input type="text" name="website" tabindex="-1" autocomplete="off"></label></div>""").Append('\n');
        html.Append($"""  <input type="hidden" name="formToken" value="{Attr(token)}">""").Append('\n');
        html.Append("""  <button type="submit">Send</button>""").Append('\n');
        html.Append("""  <p class="crm-form-message" role="status" hidden></p>""").Append('\n');
        html.Append("</form>\n");
        html.Append("""
            <script>
            (function (f) {
              f.addEventListener('submit', function (e) {
                e.preventDefault();
                fetch(f.action, { method: 'POST', body: new URLSearchParams(new FormData(f)) }).then(function (r) {
                  return r.json().then(function (b) {
                    if (r.ok && b.redirectUrl) { window.location.href = b.redirectUrl; return; }
                    var m = f.querySelector('.crm-form-message');
                    m.textContent = r.ok ? b.message : (b.detail || b.title);
                    m.hidden = false;
                    if (r.ok) { f.reset(); }
                  });
                });
              });
            })(document.currentScript.previousElementSibling);
            </script>
            """).Append('\n');
        return html.ToString();
    }

    private static string Text(string value) => HtmlEncoder.Default.Encode(value);

    private static string Attr(string value) => HtmlEncoder.Default.Encode(value);
}
