using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;

namespace CrmPlatform.Gateway;

/// <summary>
/// Requests Kestrel refuses before any middleware runs (a <c>%00</c> in the path, a malformed request line or header,
/// a request line or headers too long) get the same RFC 9457 problem and <c>X-Trace-Id</c> as every other error, where
/// Kestrel alone answers an empty body that no client can explain. Kestrel offers no hook for that answer (its
/// documentation says so), so the gateway, the one front door, keeps a small piece of HTTP/1.1 itself: Kestrel
/// announces each rejection on its <c>Microsoft.AspNetCore.Server.Kestrel.BadRequest</c> diagnostic event before it
/// writes its empty answer, and a connection middleware swaps that answer, the last one on the connection, for ours.
/// </summary>
public static class RejectedRequests
{
    private const string BadRequestEvent = "Microsoft.AspNetCore.Server.Kestrel.BadRequest";

    /// <summary>Connections whose next answer is Kestrel's rejection, with the reason it gave.</summary>
    private static readonly ConcurrentDictionary<string, Microsoft.AspNetCore.Http.BadHttpRequestException> Rejected = new();

    public static void AddRejectedRequestProblems(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
        {
            connection.Transport = new RewritingPipe(connection.Transport, connection.ConnectionId);
            return next(connection).ContinueWith(_ => Rejected.TryRemove(connection.ConnectionId, out var _), TaskScheduler.Default);
        })));
        _ = Subscription.Value;
    }

    /// <summary>One observer per process: connection ids are unique across the process's servers.</summary>
    private static readonly Lazy<IDisposable> Subscription = new(() => DiagnosticListener.AllListeners.Subscribe(new ListenerObserver()));

    private sealed class ListenerObserver : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == "Microsoft.AspNetCore")
            {
                listener.Subscribe(new BadRequestObserver(), name => name == BadRequestEvent);
            }
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }
    }

    private sealed class BadRequestObserver : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Value is IFeatureCollection features
                && features.Get<IBadRequestExceptionFeature>()?.Error is Microsoft.AspNetCore.Http.BadHttpRequestException error
                && features.Get<IHttpConnectionFeature>()?.ConnectionId is { } connectionId)
            {
                Rejected[connectionId] = error;
            }
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }
    }

    /// <summary>The problem that replaces Kestrel's empty answer of <paramref name="status"/>.</summary>
    internal static byte[] Problem(int status, string reason)
    {
        var traceId = ActivityTraceId.CreateRandom().ToString();
        var title = ReasonPhrases.GetReasonPhrase(status);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}",
            ["title"] = title,
            ["status"] = status,
            ["detail"] = $"The server refused the request before routing it: {reason}",
            ["traceId"] = traceId,
        });
        var head = $"HTTP/1.1 {status} {title}\r\nContent-Type: application/problem+json\r\nContent-Length: {body.Length}\r\n" +
            $"{RequestLimits.TraceIdHeader}: {traceId}\r\nConnection: close\r\nDate: {DateTime.UtcNow:R}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    private sealed class RewritingPipe(IDuplexPipe inner, string connectionId) : IDuplexPipe
    {
        public PipeReader Input => inner.Input;
        public PipeWriter Output { get; } = new RewritingWriter(inner.Output, connectionId);
    }

    /// <summary>
    /// Passes every write through until the connection is marked rejected; then holds what Kestrel writes until its
    /// flush and, if it is the empty error answer Kestrel produces for a rejection, writes the problem instead.
    /// </summary>
    private sealed class RewritingWriter(PipeWriter inner, string connectionId) : PipeWriter
    {
        private ArrayBufferWriter<byte>? _held;

        private IBufferWriter<byte> Target
        {
            get
            {
                if (_held is null && Rejected.ContainsKey(connectionId))
                {
                    _held = new ArrayBufferWriter<byte>();
                }
                return _held is null ? inner : _held;
            }
        }

        /// <summary>Where the memory last handed out belongs, so its Advance goes to the same writer.</summary>
        private IBufferWriter<byte>? _lent;

        public override void Advance(int bytes) => (_lent ?? Target).Advance(bytes);
        public override Memory<byte> GetMemory(int sizeHint = 0) => (_lent = Target).GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => (_lent = Target).GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (_held is { } held && Rejected.TryRemove(connectionId, out var error))
            {
                var written = Encoding.ASCII.GetString(held.WrittenSpan);
                var isKestrelsAnswer = written.StartsWith("HTTP/1.", StringComparison.Ordinal)
                    && written.Contains("\r\nContent-Length: 0\r\n", StringComparison.OrdinalIgnoreCase);
                inner.Write(isKestrelsAnswer ? Problem(error.StatusCode, error.Message) : held.WrittenSpan);
            }
            else if (_held is { } rest)
            {
                inner.Write(rest.WrittenSpan);
            }
            _held = null;
            _lent = null;
            return inner.FlushAsync(cancellationToken);
        }

        // Kestrel passes these through to System.Text.Json, which asks them while it writes a body.
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => _held?.WrittenCount ?? inner.UnflushedBytes;

        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
