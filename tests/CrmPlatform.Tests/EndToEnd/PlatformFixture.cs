namespace CrmPlatform.Tests.EndToEnd;

/// <summary>
/// One whole platform with Aspire's dashboard, shared by the tests that only use it (a start costs half a minute on two
/// cores); tests that stop or restart things start platforms of their own.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public PlatformHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await PlatformHost.StartAsync(PlatformHost.Settings.New(withDashboard: true));

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
