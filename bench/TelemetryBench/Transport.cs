using System.Net.Http.Headers;
using CrmPlatform.AppHost.Testing;
using Grpc.Core;
using Grpc.Net.Client;

/// <summary>
/// Sends already-serialized export requests, so the client's cost is the transport's alone (the client runs on the
/// same two cores as the receiver).
/// </summary>
internal abstract class Transport : IDisposable
{
    public abstract Task Send(byte[] payload);

    public abstract void Dispose();

    public static Transport Grpc(TelemetryReceiverHost host) => new GrpcTransport(host.OtlpGrpcUrl);

    public static Transport Http(TelemetryReceiverHost host) => new HttpTransport(new Uri(host.OtlpHttpUrl, "/v1/traces"));

    private sealed class GrpcTransport(Uri receiver) : Transport
    {
        private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(bytes => bytes, bytes => bytes);

        // TraceService/Export with the payload passed through as is.
        private static readonly Method<byte[], byte[]> Export =
            new(MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", Bytes, Bytes);

        private readonly GrpcChannel _channel = GrpcChannel.ForAddress(receiver, new GrpcChannelOptions { MaxSendMessageSize = null });

        public override async Task Send(byte[] payload)
        {
            var answer = await _channel.CreateCallInvoker().AsyncUnaryCall(Export, null, new CallOptions(), payload);
            if (answer.Length != 0)
            {
                throw new InvalidOperationException("The receiver rejected spans (partial success).");
            }
        }

        public override void Dispose() => _channel.Dispose();
    }

    private sealed class HttpTransport(Uri endpoint) : Transport
    {
        private readonly HttpClient _client = new();

        public override async Task Send(byte[] payload)
        {
            var content = new ByteArrayContent(payload);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var response = await _client.PostAsync(endpoint, content);
            response.EnsureSuccessStatusCode();
            if ((await response.Content.ReadAsByteArrayAsync()).Length != 0)
            {
                throw new InvalidOperationException("The receiver rejected spans (partial success).");
            }
        }

        public override void Dispose() => _client.Dispose();
    }
}
