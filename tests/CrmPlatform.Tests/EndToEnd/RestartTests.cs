using System.Net;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CrmPlatform.AppHost.RabbitMq;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrmPlatform.Tests.EndToEnd;

/// <summary>
/// A platform of its own, whose services crash, whose messages fail, and which is stopped and started again. Each test
/// leaves it running and healthy for the next.
/// </summary>
[Collection(OwnPlatformCollection.Name)]
public sealed class RestartTests(RestartTests.OwnPlatform platform) : IClassFixture<RestartTests.OwnPlatform>
{
    private PlatformHost Host => platform.Host;

    public sealed class OwnPlatform : IAsyncLifetime
    {
        public PlatformHost.Settings Settings { get; } = PlatformHost.Settings.New(withDashboard: false);

        public PlatformHost Host { get; set; } = null!;

        public async Task InitializeAsync() => Host = await PlatformHost.StartAsync(Settings);

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    [Fact]
    public async Task A_crashed_service_is_started_again_with_aspires_command_and_catches_up_with_what_it_missed()
    {
        var gateway = await Host.GatewayClientAsync();

        // The service process dies (not the `dotnet run` Aspire started, which then ends with it).
        var runner = Host.Pid("sales");
        Processes.Kill(Assert.Single(Processes.Descendants(runner), pid => Processes.CommandLine(pid).Contains("CrmPlatform.Sales", StringComparison.Ordinal)));
        await Host.App.ResourceNotifications.WaitForResourceAsync("sales", KnownResourceStates.TerminalStates);

        // While Sales is down, Contacts goes on: the event waits in Sales' queue.
        var missed = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
        await Host.CommandAsync("sales", KnownResourceCommands.StartCommand);
        await Host.App.ResourceNotifications.WaitForResourceHealthyAsync("sales");
        Assert.NotEqual(runner, Host.Pid("sales"));
        await Eventually.TrueAsync(
            async () => (await gateway.PostJsonAsync("/api/v1/opportunities", new { name = "Caught up", amount = 1, currency = "EUR", customerId = missed })).Status == HttpStatusCode.Created,
            "Sales learns of the person created while it was down");
    }

    [Fact]
    public async Task A_message_that_failed_every_retry_is_replayed_by_the_brokers_command()
    {
        var gateway = await Host.GatewayClientAsync();
        await Host.StopAsync("sales");
        var person = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
        // As if Sales had failed it on every retry: MassTransit's error queue for the consumer.
        await Host.MoveMessagesAsync("sales-contact-directory", "sales-contact-directory_error", expected: 1);
        await Host.CommandAsync("sales", KnownResourceCommands.StartCommand);
        await Host.App.ResourceNotifications.WaitForResourceHealthyAsync("sales");
        var opportunity = new { name = "Replayed", amount = 1, currency = "EUR", customerId = person };
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await gateway.PostJsonAsync("/api/v1/opportunities", opportunity)).Status);

        var unknown = await Host.App.ResourceCommands.ExecuteCommandAsync("messaging", ErrorQueueReplay.CommandName, Queue("nowhere_error"));
        Assert.False(unknown.Success);
        Assert.Contains("nowhere_error", unknown.Message);

        var replayed = await Host.CommandAsync("messaging", ErrorQueueReplay.CommandName, Queue(""));
        var result = JsonDocument.Parse(replayed.Data!.Value).RootElement.EnumerateArray().Single();
        Assert.Equal(("sales-contact-directory_error", "sales-contact-directory", 1),
            (result.Str("errorQueue"), result.Str("queue"), result.GetProperty("messages").GetInt32()));
        await Eventually.TrueAsync(
            async () => (await gateway.PostJsonAsync("/api/v1/opportunities", opportunity)).Status == HttpStatusCode.Created,
            "the replayed event reaches Sales");
    }

    [Fact]
    public async Task Data_survives_a_stop_of_the_whole_platform_which_shuts_postgres_down_cleanly()
    {
        var gateway = await Host.GatewayClientAsync();
        var person = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
        var resources = new[] { "postgres", "messaging", "messaging-epmd", "identity", "contacts", "sales", "marketing", "service", "gateway" };
        var pids = resources.Select(Host.Pid).ToList();

        await Host.DisposeAsync();
        var settings = platform.Settings;
        // A fast shutdown, not a kill: PostgreSQL removes its lock file last.
        Assert.False(File.Exists(Path.Combine(settings.StateDirectory, "postgres", "postmaster.pid")));
        Assert.All(pids, pid => Assert.False(Processes.IsAlive(pid), $"{pid} ({Processes.CommandLine(pid)}) still runs"));
        Assert.Empty(Processes.Mentioning(settings.StateDirectory));

        platform.Host = await PlatformHost.StartAsync(settings);
        gateway = await Host.GatewayClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetJsonAsync($"/api/v1/people/{person}")).Status);
        Assert.Equal(HealthStatus.Healthy, Host.Snapshot("contactsdb").HealthStatus);
    }

    private static InteractionInputCollection Queue(string name) =>
        new([new InteractionInput { Name = "queue", InputType = InputType.Text, Label = "Error queue", Value = name }]);
}
