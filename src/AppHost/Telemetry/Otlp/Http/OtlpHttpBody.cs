using System.Buffers;
using System.IO.Compression;

namespace CrmPlatform.AppHost.Telemetry.Otlp.Http;

/// <summary>
/// A request body read into a pooled buffer (batches are often 0.1 to 1 MiB: a fresh array each would land on the large
/// object heap), gunzipped when <c>Content-Encoding: gzip</c>, and bounded after decompression, so a small gzip bomb
/// cannot fill memory.
/// </summary>
internal sealed class OtlpHttpBody : IDisposable
{
    private byte[] _buffer;

    private OtlpHttpBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public sealed class TooLargeException(int limit) : Exception($"The request body is larger than {limit} bytes.");

    public sealed class UnsupportedEncodingException(string encoding)
        : Exception($"Content-Encoding '{encoding}' is not supported: send the body as is or gzip it.");

    /// <exception cref="TooLargeException">Past <paramref name="limit"/> bytes.</exception>
    /// <exception cref="UnsupportedEncodingException">Neither identity nor gzip.</exception>
    /// <exception cref="InvalidDataException">Not valid gzip.</exception>
    public static async Task<OtlpHttpBody> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var contentEncoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        var gzip = contentEncoding switch
        {
            "" or "identity" => false,
            "gzip" or "x-gzip" => true,
            _ => throw new UnsupportedEncodingException(contentEncoding),
        };
        if (!gzip && request.ContentLength > limit)
        {
            throw new TooLargeException(limit);
        }

        await using var gunzip = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : null;
        var stream = gunzip ?? request.Body;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength * (gzip ? 4 : 1) ?? 64 * 1024, 1024, limit + 1L));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        throw new TooLargeException(limit);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return new OtlpHttpBody(buffer, length);
                }

                length += read;
                if (length > limit)
                {
                    throw new TooLargeException(limit);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
