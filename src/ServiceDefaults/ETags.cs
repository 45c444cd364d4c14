using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// Optimistic concurrency over HTTP: a record's version is its ETag, and updates and deletes must say which version
/// they change (<c>If-Match</c>), so two people editing the same record cannot silently overwrite each other.
/// </summary>
public static class ETags
{
    public static string For(int version) => $"\"{version}\"";

    public static void Set(HttpResponse response, int version) => response.Headers.ETag = For(version);

    /// <summary>
    /// The version the client says it changes, or a problem: 428 when <c>If-Match</c> is missing, 412 when it names
    /// another version than <paramref name="currentVersion"/>. <c>*</c> matches any version.
    /// </summary>
    public static ProblemHttpResult? CheckIfMatch(HttpRequest request, int currentVersion, out int expectedVersion)
    {
        expectedVersion = currentVersion;
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match required",
                detail: "Send the ETag of the version you are changing in an If-Match header (read the record to get it).");
        }
        if (header.Trim() == "*")
        {
            return null;
        }

        var matches = EntityTagHeaderValue.TryParseList([header], out var tags)
            && tags.Any(tag => !tag.IsWeak && tag.Tag.Value == For(currentVersion));
        return matches ? null : TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed",
            detail: $"The record has changed since you read it (current ETag {For(currentVersion)}); read it again and retry.",
            extensions: new Dictionary<string, object?> { ["currentETag"] = For(currentVersion) });
    }
}
