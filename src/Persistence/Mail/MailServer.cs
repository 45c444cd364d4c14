using System.Data.Common;
using Microsoft.Extensions.Configuration;

namespace CrmPlatform.Persistence.Mail;

/// <summary>
/// The SMTP server from <c>ConnectionStrings__mail</c>, as Aspire's mail integrations write it: <c>smtp://host:port</c>,
/// or <c>Endpoint=smtp://host:port;Username=…;Password=…</c>. Plain SMTP (a local relay or sink); <c>smtps://</c> for TLS.
/// </summary>
public sealed record MailServer(string Host, int Port, bool UseTls, string? UserName, string? Password)
{
    public const string ConnectionName = "mail";

    public static MailServer? FromConfiguration(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionName) is { Length: > 0 } connectionString ? Parse(connectionString) : null;

    public static MailServer Parse(string connectionString)
    {
        string endpoint = connectionString;
        string? userName = null, password = null;
        if (!connectionString.Contains("://", StringComparison.Ordinal) || connectionString.Contains('='))
        {
            var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
            endpoint = parts.TryGetValue("Endpoint", out var value) ? (string)value : "";
            userName = parts.TryGetValue("Username", out var user) ? (string)user : null;
            password = parts.TryGetValue("Password", out var secret) ? (string)secret : null;
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps"))
        {
            throw new InvalidOperationException($"ConnectionStrings__{ConnectionName} must be smtp://host:port (or Endpoint=smtp://host:port;…).");
        }
        var tls = uri.Scheme == "smtps";
        return new MailServer(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? (tls ? 465 : 25) : uri.Port, tls, userName, password);
    }
}
