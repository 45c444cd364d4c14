using CrmPlatform.Contracts.Contacts.V1;
using MassTransit;
using MassTransit.RabbitMqTransport;

namespace CrmPlatform.Contracts.Catalogue;

/// <summary>What goes over the broker: every integration event, and the requests Sales asks Contacts on it.</summary>
public static class CatalogueMessages
{
    /// <summary>The virtual host the platform's services use (the app host's <c>RabbitMqServerResource.VirtualHost</c>).</summary>
    public const string VirtualHost = "crm";

    /// <summary>Every concrete <see cref="IIntegrationEvent"/> of the contracts assembly, by full name.</summary>
    public static IReadOnlyList<Type> Events { get; } = typeof(IIntegrationEvent).Assembly.GetExportedTypes()
        .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(IIntegrationEvent).IsAssignableFrom(type))
        .OrderBy(type => type.FullName, StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// Request/response pairs: the request is published like an event (MassTransit's request client without an address);
    /// the response goes straight back to the requester's own endpoint, never through a type's exchange.
    /// </summary>
    public static IReadOnlyList<(Type Request, Type Response)> Requests { get; } = [(typeof(FindLikelyMatches), typeof(LikelyMatchesFound))];

    /// <summary>Everything published to an exchange of its own type: the events and the requests.</summary>
    public static IEnumerable<Type> Published => Events.Concat(Requests.Select(pair => pair.Request)).OrderBy(type => type.FullName, StringComparer.Ordinal);

    private static readonly RabbitMqMessageNameFormatter ExchangeNames = new();

    /// <summary>The exchange MassTransit publishes a message type to: <c>Namespace:TypeName</c>.</summary>
    public static string ExchangeName(Type messageType) => ExchangeNames.GetMessageName(messageType).ToString();

    /// <summary>The URN MassTransit writes into the envelope's <c>messageType</c>.</summary>
    public static string MessageUrn(Type messageType) => MassTransit.MessageUrn.ForTypeString(messageType);

    /// <summary>The key of a message in the catalogue: its namespace below <c>CrmPlatform.Contracts</c> and its name (<c>Contacts.V1.PersonCreated</c>).</summary>
    public static string Key(Type type) => type.FullName!["CrmPlatform.Contracts.".Length..];

    /// <summary>The contracts' area of a type (<c>Contacts</c>, <c>Sales</c>, <c>Gdpr</c>…).</summary>
    public static string Area(Type type) => Key(type).Split('.')[0];
}
