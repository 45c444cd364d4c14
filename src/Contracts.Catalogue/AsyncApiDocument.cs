using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit.Serialization;

namespace CrmPlatform.Contracts.Catalogue;

/// <summary>
/// The event catalogue as an AsyncAPI 3.0 document, generated from the contracts assembly: a channel (the type's
/// fanout exchange) per published message type, a <c>receive</c> operation per channel, a message with its JSON
/// Schema and an example each. The generated text is checked in (<c>contract/asyncapi.json</c>) and served by the
/// gateway at <c>/docs/asyncapi/events.json</c>.
/// </summary>
public static class AsyncApiDocument
{
    /// <summary>The media type MassTransit sends its JSON envelope with.</summary>
    public const string ContentType = "application/vnd.masstransit+json";

    private const string AmqpBindingVersion = "0.3.0";

    /// <summary>The bus's serializer options: what MassTransit writes every message with.</summary>
    public static JsonSerializerOptions WireOptions => SystemTextJsonMessageSerializer.Options;

    private static readonly JsonSerializerOptions Output = new()
    {
        WriteIndented = true,
        // Descriptions hold quotes, apostrophes and arrows; keep them readable in the checked-in file.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly Lazy<string> Text = new(() => Create().ToJsonString(Output) + "\n");

    /// <summary>The document as the checked-in file and the gateway have it (indented JSON, one trailing newline).</summary>
    public static string Json => Text.Value;

    public static JsonObject Create()
    {
        var docs = XmlDocs.For(typeof(IIntegrationEvent).Assembly);
        var schemas = new PayloadSchemas(WireOptions, docs);
        var channels = new JsonObject();
        var operations = new JsonObject();
        var messages = new JsonObject();

        foreach (var type in CatalogueMessages.Published)
        {
            var key = CatalogueMessages.Key(type);
            messages[key] = Message(type, schemas, docs);
            channels[key] = Channel(type, key, docs);
            operations[$"{key}.receive"] = Receive(type, key);
        }
        foreach (var (request, response) in CatalogueMessages.Requests)
        {
            var key = CatalogueMessages.Key(response);
            messages[key] = Message(response, schemas, docs);
            channels[key] = new JsonObject
            {
                ["address"] = null, // the requester's own endpoint, named in the request's envelope
                ["title"] = response.Name,
                ["description"] = $"The answer to `{request.Name}`, sent to the address in the request's `responseAddress` (the requester's own endpoint), never published.",
                ["messages"] = new JsonObject { [response.Name] = Ref($"#/components/messages/{key}") },
            };
            operations[$"{CatalogueMessages.Key(request)}.receive"]!["reply"] = new JsonObject
            {
                ["address"] = new JsonObject
                {
                    ["description"] = "The requester's endpoint, from the request's envelope.",
                    ["location"] = "$message.payload#/responseAddress",
                },
                ["channel"] = Ref($"#/channels/{key}"),
                ["messages"] = new JsonArray(Ref($"#/channels/{key}/messages/{response.Name}")),
            };
        }

        var componentSchemas = new JsonObject { ["MassTransitEnvelope"] = Envelope() };
        foreach (var (name, schema) in schemas.Named)
        {
            componentSchemas[name] = schema;
        }

        return new JsonObject
        {
            ["asyncapi"] = "3.0.0",
            ["id"] = "urn:crm-platform:events",
            ["info"] = new JsonObject
            {
                ["title"] = "CRM Platform events",
                ["version"] = "1.0.0",
                ["description"] = Description,
                ["license"] = new JsonObject { ["name"] = "MIT" },
                ["tags"] = new JsonArray(CatalogueMessages.Published.Select(CatalogueMessages.Area).Distinct().Order(StringComparer.Ordinal)
                    .Select(area => (JsonNode)new JsonObject { ["name"] = area, ["description"] = $"Messages of `CrmPlatform.Contracts.{area}`." }).ToArray()),
            },
            ["defaultContentType"] = ContentType,
            ["servers"] = new JsonObject
            {
                ["broker"] = new JsonObject
                {
                    ["host"] = "{host}:{port}",
                    ["pathname"] = "/" + CatalogueMessages.VirtualHost,
                    ["protocol"] = "amqp",
                    ["protocolVersion"] = "0.9.1",
                    ["title"] = "RabbitMQ",
                    ["description"] = $"The platform's RabbitMQ broker; every service publishes and subscribes in the virtual host `{CatalogueMessages.VirtualHost}`. Where it runs depends on the installation (the app host starts it on 127.0.0.1).",
                    ["variables"] = new JsonObject
                    {
                        ["host"] = new JsonObject { ["default"] = "localhost", ["description"] = "The broker's host name." },
                        ["port"] = new JsonObject { ["default"] = "5672", ["description"] = "The broker's AMQP port." },
                    },
                },
            },
            ["channels"] = channels,
            ["operations"] = operations,
            ["components"] = new JsonObject { ["schemas"] = componentSchemas, ["messages"] = messages },
        };
    }

    private const string Description = """
        Integration events of the CRM platform, published on RabbitMQ through MassTransit, and the one request Sales asks
        Contacts over the broker. This document is generated from `src/Contracts` (the contract types and their
        documentation), so it lists every message the code has, with the JSON it is sent as.

        **Exchanges.** MassTransit publishes each message type to a durable fanout exchange named after the type
        (`Namespace:TypeName`, for example `CrmPlatform.Contracts.Contacts.V1:PersonCreated`); a subscriber binds a
        queue of its own to the exchanges of the types it wants. Each channel below is one such exchange. MassTransit
        also binds each event's exchange to `CrmPlatform.Contracts:IIntegrationEvent` (the interface every event
        implements), so a queue bound there receives every event.

        **Envelope.** The body is MassTransit's JSON envelope (`application/vnd.masstransit+json`): the event itself is
        its `message`; `messageType` lists the type's URNs (`urn:message:Namespace:TypeName`); `messageId` is the event's
        `eventId`. Every event carries the same fields: `eventId` (unique; subscribers drop duplicate deliveries by it),
        `occurredAt` (UTC instant the change committed), `tenantId`, `aggregateId` (the changed record) and `version` (the
        record's version after the change: ignore an event whose version is not newer than what you hold, since
        deliveries may repeat or arrive out of order).

        **Tenants.** The exchanges carry the events of every tenant. A subscriber stores `tenantId` with what it keeps
        and filters by it; never act on an event of a tenant you do not serve.

        **Versioning.** A contract's namespace carries its major version (`…Contacts.V1`). Additive changes (a new
        optional field, a new string value) stay in the same version, so ignore fields you do not know and read a field
        that is not required as possibly absent (events published before it was added lack it; the bus leaves out nulls).
        A breaking change adds a `V2` type with an exchange of its own, published beside `V1` until every subscriber has
        moved. Kinds and statuses travel as strings in kebab case, as the API writes them. Decimal amounts travel as JSON
        strings (`"20000.50"`), as MassTransit writes decimals, so no precision is lost to a floating-point number.
        """;

    private static JsonObject Message(Type type, PayloadSchemas schemas, XmlDocs docs)
    {
        var message = new JsonObject
        {
            ["name"] = type.Name,
            ["title"] = type.Name,
            ["contentType"] = ContentType,
        };
        if (docs.Summary(type) is { } summary)
        {
            message["description"] = summary;
        }
        message["tags"] = new JsonArray(new JsonObject { ["name"] = CatalogueMessages.Area(type) });
        message["payload"] = new JsonObject
        {
            ["allOf"] = new JsonArray(
                Ref("#/components/schemas/MassTransitEnvelope"),
                new JsonObject
                {
                    ["type"] = "object",
                    ["required"] = new JsonArray("message"),
                    ["properties"] = new JsonObject { ["message"] = schemas.Reference(type) },
                }),
        };
        message["bindings"] = new JsonObject
        {
            ["amqp"] = new JsonObject { ["messageType"] = CatalogueMessages.MessageUrn(type), ["bindingVersion"] = AmqpBindingVersion },
        };
        message["examples"] = new JsonArray(new JsonObject
        {
            ["name"] = type.Name,
            ["summary"] = $"A {type.Name} as the bus sends it.",
            ["payload"] = ExampleEnvelope(type),
        });
        return message;
    }

    /// <summary>
    /// An example body: the example instance serialized with the bus's options inside the envelope fields MassTransit
    /// writes (the addresses and ids here are made up; see <see cref="Envelope"/> for what each means).
    /// </summary>
    public static JsonObject ExampleEnvelope(Type type)
    {
        var example = ExampleMessages.For(type);
        var eventId = (example as IIntegrationEvent)?.EventId.ToString();
        return new JsonObject
        {
            ["messageId"] = eventId ?? "0199e2a4-5b1c-7d3e-9f20-4a6b8c0d2e1f",
            ["requestId"] = null,
            ["correlationId"] = eventId,
            ["conversationId"] = "0199e2a4-5b1c-7d3e-9f20-4a6b8c0d2e20",
            ["initiatorId"] = null,
            ["sourceAddress"] = $"rabbitmq://localhost/{CatalogueMessages.VirtualHost}/host_contacts_bus_example?temporary=true",
            ["destinationAddress"] = $"rabbitmq://localhost/{CatalogueMessages.VirtualHost}/{CatalogueMessages.ExchangeName(type)}",
            ["responseAddress"] = null,
            ["faultAddress"] = null,
            ["messageType"] = new JsonArray(MessageTypes(type).Select(urn => (JsonNode)JsonValue.Create(urn)!).ToArray()),
            ["message"] = JsonSerializer.SerializeToNode(example, type, WireOptions),
            ["expirationTime"] = null,
            ["sentTime"] = "2026-03-02T09:30:00.1234567Z",
            ["headers"] = new JsonObject(),
        };
    }

    /// <summary>The URNs MassTransit lists for a message: its own type, then the contracts' interfaces it implements.</summary>
    public static IEnumerable<string> MessageTypes(Type type) =>
        new[] { type }.Concat(type.GetInterfaces().Where(i => i.Namespace?.StartsWith("CrmPlatform.Contracts", StringComparison.Ordinal) == true))
            .Select(CatalogueMessages.MessageUrn);

    private static JsonObject Channel(Type type, string key, XmlDocs docs)
    {
        var exchange = CatalogueMessages.ExchangeName(type);
        return new JsonObject
        {
            ["address"] = exchange,
            ["title"] = type.Name,
            ["description"] = $"The fanout exchange `{exchange}`: bind a queue of your own to it to receive every `{type.Name}`." +
                (docs.Summary(type) is { } summary ? $"\n\n{summary}" : ""),
            ["messages"] = new JsonObject { [type.Name] = Ref($"#/components/messages/{key}") },
            ["bindings"] = new JsonObject
            {
                ["amqp"] = new JsonObject
                {
                    ["is"] = "routingKey",
                    ["exchange"] = new JsonObject
                    {
                        ["name"] = exchange,
                        ["type"] = "fanout",
                        ["durable"] = true,
                        ["autoDelete"] = false,
                        ["vhost"] = CatalogueMessages.VirtualHost,
                    },
                    ["bindingVersion"] = AmqpBindingVersion,
                },
            },
        };
    }

    private static JsonObject Receive(Type type, string key) => new()
    {
        ["action"] = "receive",
        ["channel"] = Ref($"#/channels/{key}"),
        ["summary"] = $"Receive {type.Name}",
        ["description"] = $"A subscriber receives `{type.Name}` through a queue bound to the channel's exchange, and acknowledges each delivery once handled.",
        ["tags"] = new JsonArray(new JsonObject { ["name"] = CatalogueMessages.Area(type) }),
        ["messages"] = new JsonArray(Ref($"#/channels/{key}/messages/{type.Name}")),
    };

    /// <summary>MassTransit's JSON envelope: the fields around the message that every body carries.</summary>
    private static JsonObject Envelope() => new()
    {
        ["type"] = "object",
        ["description"] = "MassTransit's JSON envelope around every message; fields without a value are written as null.",
        ["required"] = new JsonArray("messageId", "messageType", "message"),
        ["properties"] = new JsonObject
        {
            ["messageId"] = Described("string", "uuid", "Unique per message; for an event, its `eventId` (the platform publishes it so), by which subscribers drop duplicate deliveries."),
            ["requestId"] = Nullable("string", "uuid", "Set on a request: its response carries it back."),
            ["correlationId"] = Nullable("string", "uuid", "For an event, its `eventId` too (MassTransit's convention for a property of that name)."),
            ["conversationId"] = Nullable("string", "uuid", "Shared by a message and what it caused."),
            ["initiatorId"] = Nullable("string", "uuid", "The message that caused this one, if any."),
            ["sourceAddress"] = Nullable("string", null, "The endpoint that sent it (`rabbitmq://host/vhost/…`)."),
            ["destinationAddress"] = Nullable("string", null, "The exchange it was published to (`rabbitmq://host/vhost/Namespace:TypeName`)."),
            ["responseAddress"] = Nullable("string", null, "On a request: where the response goes (the requester's endpoint)."),
            ["faultAddress"] = Nullable("string", null, "Where a fault goes, when not to the sender."),
            ["messageType"] = new JsonObject
            {
                ["type"] = "array",
                ["description"] = "The message's type URNs (`urn:message:Namespace:TypeName`), its own type first.",
                ["items"] = new JsonObject { ["type"] = "string" },
            },
            ["message"] = new JsonObject { ["description"] = "The message itself: the event, request or response." },
            ["expirationTime"] = Nullable("string", "date-time", "When the message expires, if it does."),
            ["sentTime"] = Nullable("string", "date-time", "When it was sent (UTC)."),
            ["headers"] = new JsonObject { ["type"] = new JsonArray("object", "null"), ["description"] = "MassTransit's and the sender's headers." },
            ["host"] = new JsonObject { ["type"] = new JsonArray("object", "null"), ["description"] = "The sending process: machine, process, assembly and MassTransit versions." },
        },
    };

    private static JsonObject Nullable(string type, string? format, string description)
    {
        var schema = Described(type, format, description);
        schema["type"] = new JsonArray(type, "null");
        return schema;
    }

    private static JsonObject Described(string type, string? format, string description)
    {
        var schema = new JsonObject { ["type"] = type };
        if (format is not null)
        {
            schema["format"] = format;
        }
        schema["description"] = description;
        return schema;
    }

    private static JsonObject Ref(string pointer) => new() { ["$ref"] = pointer };
}
