using System.Net;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CrmPlatform.AppHost.RabbitMq;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrmPlatform.Tests.EndToEnd;

/// <summary>A platform of its own, whose services crash, whose messages fail, and which is stopped and started again.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private readonly PlatformHost.Settings _settings = PlatformHost.Settings.New(withDashboard: false);
    private PlatformHost _host = null!;

    public async Task InitializeAsync() => _host = await PlatformHost.StartAsync(_settings);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_crashed_service_is_started_again_with_aspires_command_and_catches_up_with_what_it_missed()
    {
        var gateway = await _host.GatewayClientAsync();

        // The service process dies (not the `dotnet run` Aspire started, which then ends with it).
        var runner = _host.Pid("sales");
        Processes.Kill(Assert.Single(Processes.Descendants(runner), pid => Processes.CommandLine(pid).Contains("CrmPlatform.Sales", StringComparison.Ordinal)));
        await _host.App.ResourceNotifications.WaitForResourceAsync("sales", KnownResourceStates.TerminalStates);

        // While Sales is down, Contacts goes on: the event waits in Sales' queue.
        var missed = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
        await _host.CommandAsync("sales", KnownResourceCommands.StartCommand);
        await _host.App.ResourceNotifications.WaitForResourceHealthyAsync("sales");
        Assert.NotEqual(runner, _host.Pid("sales"));
        await Eventually.TrueAsync(
            async () => (await gateway.PostJsonAsync("/api/v1/opportunities", new { name = "Caught up", amount = 1, currency = "EUR", customerId = missed })).Status == HttpStatusCode.Created,
            "Sales learns of the person created while it was down");
    }

    [Fact]
    public async Task A_message_that_failed_every_retry_is_replayed_by_the_brokers_command()
    {
        var gateway = await _host.GatewayClientAsync();
        await _host.CommandAsync("sales", KnownResourceCommands.StopCommand);
        var person = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
        // As if Sales had failed it on every retry: MassTransit's error queue for the consumer.
        await _host.MoveMessagesAsync("sales-contact-directory", "sales-contact-directory_error", expected: 1);
        await _host.CommandAsync("sales", KnownResourceCommands.StartCommand);
        await _host.App.ResourceNotifications.WaitForResourceHealthyAsync("sales");
        var opportunity = new { name = "Replayed", amount = 1, currency = "EUR", customerId = person };
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await gateway.PostJsonAsync("/api/v1/opportunities", opportunity)).Status);

        var unknown = await _host.App.ResourceCommands.ExecuteCommandAsync("messaging", ErrorQueueReplay.CommandName, Queue("nowhere_error"));
        Assert.False(unknown.Success);
        Assert.Contains("nowhere_error", unknown.Message);

        var replayed = await _host.CommandAsync("messaging", ErrorQueueReplay.CommandName, Queue(""));
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
        var gateway = await _host.GatewayClientAsync();
        var person = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
        var resources = new[] { "postgres", "messaging", "messaging-epmd", "identity", "contacts", "sales", "marketing", "service", "gateway" };
        var pids = resources.Select(_host.Pid).ToList();

        await _host.DisposeAsync();
        // A fast shutdown, not a kill: PostgreSQL removes its lock file last.
        Assert.False(File.Exists(Path.Combine(_settings.StateDirectory, "postgres", "postmaster.pid")));
        Assert.All(pids, pid => Assert.False(Processes.IsAlive(pid), $"{pid} ({Processes.CommandLine(pid)}) still runs"));
        Assert.Empty(Processes.Mentioning(_settings.StateDirectory));

        _host = await PlatformHost.StartAsync(_settings);
        gateway = await _host.GatewayClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetJsonAsync($"/api/v1/people/{person}")).Status);
        Assert.Equal(HealthStatus.Healthy, _host.Snapshot("contactsdb").HealthStatus);
    }

    private static InteractionInputCollection Queue(string name) =>
        new([new InteractionInput { Name = "queue", InputType = InputType.Text, Label = "Error queue", Value = name }]);
}
