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

/// <summary>
/// The tests of whole platforms run one collection at a time, after the rest: a platform is a dozen processes, and
/// two cores shared with sixty test classes would make its start a matter of minutes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OwnPlatformCollection
{
    public const string Name = "platforms of their own";
}
