namespace CrmPlatform.Identity.Model;

/// <summary>
/// An ES256 key pair tokens are signed with. The newest key signs; older ones stay published in the JWKS until every
/// token they signed has expired, so services that cached the key set keep validating through a rotation.
/// </summary>
public sealed class SigningKey
{
    public string KeyId { get; init; } = "";
    public string PrivateKeyPem { get; init; } = "";
    public DateTime CreatedAt { get; init; }
}
