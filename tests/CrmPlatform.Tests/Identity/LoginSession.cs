using System.Net;
using System.Text.RegularExpressions;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Identity;

/// <summary>
/// A browser stand-in for the login page over plain HTTP: keeps cookies, does not follow redirects, and comes from a
/// client address of its own (X-Forwarded-For, which Identity believes from loopback), so other tests' login attempts
/// do not count against its rate limit.
/// </summary>
public sealed partial class LoginSession : IDisposable
{
    private readonly HttpClient _http;

    public LoginSession(IdentityServer identity, string? clientAddress = null)
    {
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(identity.Address),
        };
        _http.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress ?? NewClientAddress());
    }

    public static string NewClientAddress() => $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";

    /// <summary>Fills in the form the login page serves, with its antiforgery token, and submits it.</summary>
    public async Task<HttpResponseMessage> LoginAsync(string email, string password, string? code = null, string? returnUrl = null)
    {
        var page = await _http.GetStringAsync(returnUrl is null ? "/login" : $"/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var antiforgery = AntiforgeryField().Match(page);
        Assert.True(antiforgery.Success, "the login page carries an antiforgery token");
        return await _http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [antiforgery.Groups["name"].Value] = WebUtility.HtmlDecode(antiforgery.Groups["value"].Value),
            ["email"] = email,
            ["password"] = password,
            ["code"] = code ?? "",
            ["returnUrl"] = returnUrl ?? "",
        }));
    }

    public Task<HttpResponseMessage> GetAsync(string url) => _http.GetAsync(url);

    /// <summary>Asserts the login form answered with the one generic refusal.</summary>
    public static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Invalid email, password or one-time code.", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("crm_identity_session")),
            "a refused login starts no session");
    }

    [GeneratedRegex("""name="(?<name>__RequestVerificationToken)" value="(?<value>[^"]+)""")]
    private static partial Regex AntiforgeryField();

    public void Dispose() => _http.Dispose();
}
