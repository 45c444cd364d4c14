using System.Text;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

/// <summary>
/// Fills a message template (<c>Order {OrderId} failed</c>) from the record's attributes. The .NET SDK sends the template
/// as the body, and the values as attributes, when the formatted message is not included (its default).
/// </summary>
internal static class LogTemplate
{
    /// <summary>
    /// The template with each <c>{Name}</c>, <c>{Name:format}</c> or <c>{Name,align}</c> replaced by its value, or the
    /// body unchanged when no hole names a value (it was not a template: <c>{{</c> in plain text stays as written).
    /// </summary>
    public static string Format(string body, Func<string, string?> valueOf) =>
        body.Contains('{') && Fill(body, valueOf) is { Filled: > 0 } result ? result.Text : body;

    private static (string Text, int Filled) Fill(string template, Func<string, string?> valueOf)
    {
        var filled = 0;
        var text = new StringBuilder(template.Length + 32);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                text.Append('{');
                i++;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                text.Append('}');
                i++;
            }
            else if (c == '{' && template.IndexOf('}', i + 1) is var end and > 0)
            {
                var hole = template.AsSpan(i + 1, end - i - 1);
                var name = hole[..(hole.IndexOfAny(',', ':') is var cut and >= 0 ? cut : hole.Length)].TrimStart('@').TrimStart('$').ToString();
                if (valueOf(name) is { } value)
                {
                    text.Append(value);
                    filled++;
                }
                else
                {
                    text.Append(template, i, end - i + 1);
                }

                i = end;
            }
            else
            {
                text.Append(c);
            }
        }

        return (text.ToString(), filled);
    }
}
