using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CrmPlatform.Contracts.Catalogue;

/// <summary>
/// The contracts' XML doc comments (generated beside the contracts assembly) as plain Markdown: a type's summary, and
/// a field's <c>param</c> tag on the record or the summary of an added property.
/// </summary>
internal sealed partial class XmlDocs
{
    private readonly Dictionary<string, XElement> _members;

    private XmlDocs(Dictionary<string, XElement> members) => _members = members;

    public static XmlDocs For(Assembly assembly)
    {
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        // Without the file the catalogue still lists every message and field, only without prose; the drift test
        // compares with the checked-in document, which has it.
        if (!File.Exists(path))
        {
            return new([]);
        }
        var members = XDocument.Load(path).Descendants("member")
            .Where(member => member.Attribute("name") is not null)
            .ToDictionary(member => member.Attribute("name")!.Value);
        return new(members);
    }

    public string? Summary(Type type) => Text(Member($"T:{type.FullName}")?.Element("summary"));

    public string? Property(PropertyInfo property)
    {
        var parameter = Member($"T:{property.DeclaringType!.FullName}")?.Elements("param")
            .FirstOrDefault(p => p.Attribute("name")?.Value == property.Name);
        return Text(parameter) ?? Text(Member($"P:{property.DeclaringType.FullName}.{property.Name}")?.Element("summary"));
    }

    private XElement? Member(string name) => _members.GetValueOrDefault(name);

    private static string? Text(XElement? element)
    {
        if (element is null)
        {
            return null;
        }
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            text.Append(node switch
            {
                XText plain => plain.Value,
                XElement { Name.LocalName: "c" } code => $"`{code.Value}`",
                XElement { Name.LocalName: "see" } see when see.Attribute("cref") is { } cref => $"`{LastName(cref.Value)}`",
                XElement { Name.LocalName: "see" } see when see.Attribute("langword") is { } word => $"`{word.Value}`",
                XElement { Name.LocalName: "paramref" or "typeparamref" } reference => $"`{Camel(reference.Attribute("name")?.Value ?? "")}`",
                XElement other => other.Value,
                _ => "",
            });
        }
        var result = Whitespace().Replace(text.ToString(), " ").Trim();
        return result.Length == 0 ? null : result;
    }

    /// <summary><c>P:CrmPlatform.Contracts.Sales.V1.QuoteSnapshot.Total</c> reads as <c>total</c>, a type as its name.</summary>
    private static string LastName(string cref)
    {
        var name = cref[(cref.IndexOf(':') + 1)..];
        var last = name[(name.LastIndexOf('.') + 1)..];
        return cref.StartsWith("P:", StringComparison.Ordinal) || cref.StartsWith("F:", StringComparison.Ordinal) ? Camel(last) : last;
    }

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
