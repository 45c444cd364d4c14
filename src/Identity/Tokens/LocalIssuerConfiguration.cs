using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace CrmPlatform.Identity.Tokens;

/// <summary>Identity validates the tokens it issued (for its admin API) from its own key store, not over HTTP.</summary>
internal sealed class LocalIssuerConfiguration(SigningKeyStore keys, IOptions<IdentitySettings> settings)
    : IConfigurationManager<OpenIdConnectConfiguration>
{
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = settings.Value.Issuer };
        foreach (var key in await keys.KeysAsync(cancel))
        {
            configuration.SigningKeys.Add(key);
        }
        return configuration;
    }

    public void RequestRefresh()
    {
    }
}
