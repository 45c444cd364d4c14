using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrmPlatform.AppHost.RabbitMq;
using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Catalogue;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using RabbitMQ.Client;

namespace CrmPlatform.Tests.Contract;

/// <summary>
/// The event catalogue (AsyncAPI 3.0, generated from src/Contracts): the checked-in copy is what the code generates,
/// the AsyncAPI CLI validates it without a warning, it names every message of the contracts, and each example is valid
/// against its schema and is what the bus really sends.
/// </summary>
public sealed class EventCatalogueTests
{
    private static readonly string CheckedIn = Path.Combine(Repository.Root, "contract", "asyncapi.json");

    private static readonly JsonObject Document = JsonNode.Parse(AsyncApiDocument.Json)!.AsObject();

    [Fact]
    public async Task The_checked_in_catalogue_is_the_one_the_contracts_generate()
    {
        if (Environment.GetEnvironmentVariable("UPDATE_CONTRACT") == "1")
        {
            await File.WriteAllTextAsync(CheckedIn, AsyncApiDocument.Json);
        }
        var checkedIn = await File.ReadAllTextAsync(CheckedIn);
        Assert.True(checkedIn == AsyncApiDocument.Json,
            "contract/asyncapi.json differs from what src/Contracts generates. Regenerate it with " +
            "UPDATE_CONTRACT=1 ./test.sh --filter \"FullyQualifiedName~EventCatalogueTests\" and commit the file.");
    }

    [Fact]
    public async Task The_catalogue_passes_the_asyncapi_cli_validation_without_an_error_or_a_warning()
    {
        var file = Path.Combine(Directory.CreateDirectory(Path.Combine(Repository.Root, "contract", "generated")).FullName, "asyncapi.json");
        await File.WriteAllTextAsync(file, AsyncApiDocument.Json);
        await OpenApiToolingTests.RunAsync("asyncapi", "validate", Path.Combine("generated", "asyncapi.json"),
            "--fail-severity", "warn", "--diagnostics-format", "text");
    }

    [Fact]
    public void The_catalogue_names_every_message_of_the_contracts_with_its_exchange()
    {
        var contracts = typeof(IIntegrationEvent).Assembly;
        var events = contracts.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IIntegrationEvent).IsAssignableFrom(t)).ToList();
        Assert.NotEmpty(events);
        var channels = Document["channels"]!.AsObject();
        foreach (var type in events.Concat(CatalogueMessages.Requests.Select(r => r.Request)))
        {
            var channel = channels.Single(c => c.Value!["title"]!.GetValue<string>() == type.Name && c.Key.EndsWith(type.Name, StringComparison.Ordinal)).Value!;
            Assert.Equal($"{type.Namespace}:{type.Name}", channel["address"]!.GetValue<string>());
            Assert.Equal("fanout", channel["bindings"]!["amqp"]!["exchange"]!["type"]!.GetValue<string>());
        }

        // Every other record of the contracts is a response or part of a message: none may be left out silently.
        var messages = Document["components"]!["messages"]!.AsObject().Select(m => m.Key).ToHashSet();
        var schemas = Document["components"]!["schemas"]!.AsObject().Select(s => s.Key).ToHashSet();
        foreach (var type in contracts.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            var key = CatalogueMessages.Key(type);
            Assert.True(schemas.Contains(key) && (messages.Contains(key) || !typeof(IIntegrationEvent).IsAssignableFrom(type)),
                $"{type.FullName} is not in the event catalogue.");
        }
        Assert.Equal(RabbitMqServerResource.VirtualHost, CatalogueMessages.VirtualHost);
    }

    [Fact]
    public void Every_example_is_valid_against_its_message_schema_and_a_wrong_one_is_not()
    {
        foreach (var (key, message) in Document["components"]!["messages"]!.AsObject())
        {
            var example = message!["examples"]![0]!["payload"]!;
            var result = Validate(key, example);
            Assert.True(result is null, $"The example of {key} does not match its schema: {result}");
        }

        // The validator does see a difference: a decimal as a JSON number, a missing field, a bad id.
        var quote = Document["components"]!["messages"]!["Sales.V1.QuoteSent"]!["examples"]![0]!["payload"]!.DeepClone();
        quote["message"]!["quote"]!["total"] = 26775;
        Assert.NotNull(Validate("Sales.V1.QuoteSent", quote));
        var person = Document["components"]!["messages"]!["Contacts.V1.PersonCreated"]!["examples"]![0]!["payload"]!.DeepClone();
        person["message"]!["person"]!.AsObject().Remove("lastName");
        Assert.NotNull(Validate("Contacts.V1.PersonCreated", person));
        person = Document["components"]!["messages"]!["Contacts.V1.PersonCreated"]!["examples"]![0]!["payload"]!.DeepClone();
        person["message"]!["tenantId"] = "not-an-id";
        Assert.NotNull(Validate("Contacts.V1.PersonCreated", person));
    }

    [Fact]
    public async Task Each_example_is_what_the_bus_sends_to_the_exchange_the_catalogue_names()
    {
        var connectionString = await (await TestServers.GetAsync()).CreateVirtualHostAsync();
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(connectionString)));
        await bus.StartAsync();
        try
        {
            await using var connection = await new ConnectionFactory { Uri = new Uri(connectionString) }.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            var everyEventExchange = CatalogueMessages.ExchangeName(typeof(IIntegrationEvent));
            await channel.ExchangeDeclareAsync(everyEventExchange, "fanout", durable: true, autoDelete: false);
            var everyEvent = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
            await channel.QueueBindAsync(everyEvent, everyEventExchange, "");
            foreach (var (key, node) in Document["channels"]!.AsObject().Where(c => c.Value!["address"] is not null))
            {
                // Declared as the catalogue describes it: MassTransit's own declaration would fail on any difference.
                var exchange = node!["bindings"]!["amqp"]!["exchange"]!;
                await channel.ExchangeDeclareAsync(exchange["name"]!.GetValue<string>(), exchange["type"]!.GetValue<string>(),
                    durable: exchange["durable"]!.GetValue<bool>(), autoDelete: exchange["autoDelete"]!.GetValue<bool>());
                var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
                await channel.QueueBindAsync(queue, exchange["name"]!.GetValue<string>(), "");

                var type = typeof(IIntegrationEvent).Assembly.GetType($"CrmPlatform.Contracts.{key}")!;
                var example = ExampleMessages.For(type);
                // As the outbox dispatcher publishes: the event's id is the message's.
                await bus.Publish(example, type, context => context.MessageId = (example as IIntegrationEvent)?.EventId ?? context.MessageId);
                var delivery = await Eventually.ReturnsAsync(() => channel.BasicGetAsync(queue, autoAck: true), d => d is not null,
                    $"{key} arrives through {exchange["name"]}");
                Assert.Equal(AsyncApiDocument.ContentType, delivery!.BasicProperties.ContentType);
                var body = JsonNode.Parse(Encoding.UTF8.GetString(delivery.Body.Span))!;

                var problem = Validate(key, body);
                Assert.True(problem is null, $"What the bus sent for {key} does not match its schema: {problem}\n{body}");
                var documented = AsyncApiDocument.ExampleEnvelope(type);
                Assert.True(JsonNode.DeepEquals(documented["message"], body["message"]),
                    $"The example of {key} is not what the bus sends:\n{documented["message"]}\n{body["message"]}");
                Assert.Equal(documented["messageType"]!.ToJsonString(), body["messageType"]!.ToJsonString());
                if (example is IIntegrationEvent integrationEvent)
                {
                    Assert.Equal(integrationEvent.EventId.ToString(), body["messageId"]!.GetValue<string>());
                    Assert.Equal(documented["correlationId"]!.GetValue<string>(), body["correlationId"]!.GetValue<string>());
                }
            }
            // Every event also reaches the exchange of the interface all of them implement, as the catalogue says.
            var events = 0;
            while (await channel.BasicGetAsync(everyEvent, autoAck: true) is not null)
            {
                events++;
            }
            Assert.Equal(CatalogueMessages.Events.Count, events);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    /// <summary>Validates a body against the payload schema of a catalogue message; null when valid, else what is wrong.</summary>
    private static string? Validate(string messageKey, JsonNode body)
    {
        var results = StandaloneSchema.From(Document, Document["components"]!["messages"]![messageKey]!["payload"]!)
            .Evaluate(JsonSerializer.SerializeToElement(body), StandaloneSchema.Options);
        return results.IsValid ? null : StandaloneSchema.Explained(results);
    }
}
