using System.Diagnostics.Metrics;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary>How inbound mail ends: <c>crm.service.inbound_mail</c> tagged with the outcome (and, when dropped, why).</summary>
public sealed class InboundMailMetrics
{
    public const string MeterName = "CrmPlatform.Service.InboundMail";

    private readonly Counter<long> _messages;

    public InboundMailMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _messages = meter.CreateCounter<long>("crm.service.inbound_mail", "{message}", "Messages received for support addresses, by outcome.");
    }

    public void Count(string outcome, string? reason = null) =>
        _messages.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("reason", reason));
}
