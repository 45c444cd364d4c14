using System.Net;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Contacts;

/// <summary>The API describes itself: OpenAPI 3.1 with the security scheme and the problems each operation answers.</summary>
public sealed class OpenApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    [Fact]
    public async Task The_document_is_public_and_describes_security_and_error_shapes()
    {
        using var anonymous = fixture.Platform.Contacts.CreateClient();
        var answer = await anonymous.GetJsonAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var document = answer.Body;
        Assert.StartsWith("3.1", document.Str("openapi"));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").Str("scheme"));

        var update = document.GetProperty("paths").GetProperty("/api/v1/people/{id}").GetProperty("put").GetProperty("responses");
        foreach (var status in new[] { "200", "400", "401", "403", "404", "412", "428" })
        {
            Assert.True(update.TryGetProperty(status, out _), $"PUT /people/{{id}} documents {status}");
        }
        Assert.True(update.GetProperty("412").GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.True(document.GetProperty("paths").GetProperty("/api/v1/people").GetProperty("post").GetProperty("responses").TryGetProperty("201", out _));
    }
}
