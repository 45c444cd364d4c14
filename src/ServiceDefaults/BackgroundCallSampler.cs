using System.Diagnostics;
using OpenTelemetry.Trace;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// Drops client spans that start a trace: a database or HTTP call made outside any request or message is plumbing
/// (the outbox poll every 2 s, the gateway's downstream health checks every second) and would bury the traces people
/// look for. Everything inside a request or a consumed message is kept, as are the outbox's publishes.
/// </summary>
/// <remarks>
/// A dropped call still carries a not-sampled <c>traceparent</c>; a request arriving with one is recorded anyway, so that
/// a caller's sampling decision (or a dropped background call of ours) never hides a request from the operators.
/// </remarks>
internal sealed class BackgroundCallSampler : Sampler
{
    public static Sampler ParentBased { get; } = new ParentBasedSampler(
        new BackgroundCallSampler(), remoteParentNotSampled: new AlwaysOnSampler());

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.ParentContext.TraceId == default && samplingParameters.Kind == ActivityKind.Client
            ? new SamplingResult(SamplingDecision.Drop)
            : new SamplingResult(SamplingDecision.RecordAndSample);
}
