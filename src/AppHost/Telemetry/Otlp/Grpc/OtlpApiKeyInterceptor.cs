using Grpc.Core;
using Grpc.Core.Interceptors;

namespace CrmPlatform.AppHost.Telemetry.Otlp.Grpc;

/// <summary>Refuses OTLP/gRPC calls without the configured API key with <c>UNAUTHENTICATED</c>, as collectors do.</summary>
internal sealed class OtlpApiKeyInterceptor(OtlpApiKey apiKey) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (!apiKey.Accepts(context.RequestHeaders.GetValue(OtlpApiKey.HeaderName)))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"Missing or wrong {OtlpApiKey.HeaderName} header."));
        }

        return continuation(request, context);
    }
}
