using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Common.V1;
using Google.Protobuf;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

/// <summary>OTLP's wire values as the store keeps them: attribute values as text, ids as lowercase hex, times from unix nanoseconds.</summary>
internal static class OtlpValues
{
    private static readonly long MaxUnixTicks = DateTimeOffset.MaxValue.Ticks - DateTimeOffset.UnixEpoch.Ticks;

    /// <summary>Primitives as invariant text; arrays and key-value lists as JSON (primitives keep their JSON types); bytes as base64.</summary>
    public static string ToText(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
        AnyValue.ValueOneofCase.ArrayValue or AnyValue.ValueOneofCase.KvlistValue => ToJson(value),
        _ => string.Empty,
    };

    /// <summary>Lowercase hex of an id of the expected length that is not all zeros (OTLP's "invalid id"), else null.</summary>
    public static string? ToHexId(ByteString id, int length)
    {
        var bytes = id.Span;
        return bytes.Length == length && bytes.ContainsAnyExcept((byte)0) ? Convert.ToHexStringLower(bytes) : null;
    }

    /// <summary>Null for 0 (OTLP's "unknown") and for values past <see cref="DateTimeOffset.MaxValue"/>.</summary>
    public static DateTimeOffset? FromUnixNanos(ulong nanos)
    {
        var ticks = nanos / 100;
        return nanos == 0 || ticks > (ulong)MaxUnixTicks ? null : DateTimeOffset.UnixEpoch.AddTicks((long)ticks);
    }

    private static string ToJson(AnyValue value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter json, AnyValue? value)
    {
        switch (value?.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                json.WriteStringValue(value.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                json.WriteBooleanValue(value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                json.WriteNumberValue(value.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue):
                json.WriteNumberValue(value.DoubleValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                // JSON has no NaN or infinity.
                json.WriteStringValue(value.DoubleValue.ToString(CultureInfo.InvariantCulture));
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                json.WriteBase64StringValue(value.BytesValue.Span);
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                json.WriteStartArray();
                foreach (var item in value.ArrayValue.Values)
                {
                    Write(json, item);
                }

                json.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                json.WriteStartObject();
                foreach (var pair in value.KvlistValue.Values)
                {
                    json.WritePropertyName(pair.Key);
                    Write(json, pair.Value);
                }

                json.WriteEndObject();
                break;
            default:
                json.WriteNullValue();
                break;
        }
    }
}
