using System.Net.Http.Headers;
using System.Text;
using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Tokens;

/// <summary>
/// Who is calling the token or revocation endpoint: a confidential client proves itself with its secret (HTTP Basic
/// or form fields), a public client only names itself (its code exchange is protected by PKCE instead).
/// </summary>
public static class ClientAuthentication
{
    /// <summary>The enabled client, or null when it is unknown, disabled or failed to prove itself.</summary>
    public static async Task<ApiClient?> AuthenticateAsync(HttpRequest request, IFormCollection form, IdentityDbContext db, CancellationToken cancellationToken)
    {
        var (clientId, secret) = ReadCredentials(request, form);
        if (string.IsNullOrEmpty(clientId))
        {
            return null;
        }

        // Client ids are global, so this lookup crosses tenants on purpose; tokens then carry the client's or user's tenant.
        var client = await db.ApiClients.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        if (client is null || client.Disabled)
        {
            return null;
        }
        var proven = client.IsPublic ? secret is null : secret is not null && client.HasSecret(secret);
        return proven ? client : null;
    }

    /// <summary>HTTP Basic (client_secret_basic), form fields (client_secret_post), or a bare client_id (public clients).</summary>
    private static (string? ClientId, string? Secret) ReadCredentials(HttpRequest request, IFormCollection form)
    {
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) && header.Scheme == "Basic" && header.Parameter is { } encoded)
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split(':', 2);
                return pair.Length == 2 ? (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1])) : (null, null);
            }
            catch (FormatException)
            {
                return (null, null);
            }
        }
        var secret = form["client_secret"].ToString();
        return (form["client_id"].ToString(), secret.Length > 0 ? secret : null);
    }
}
