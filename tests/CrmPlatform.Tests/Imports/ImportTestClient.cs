using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Imports;

/// <summary>Uploads files to the import API and waits for its jobs, as a client would.</summary>
internal static class ImportTestClient
{
    public static async Task<ApiAnswer> UploadAsync(this HttpClient client, string query, byte[] file, string contentType)
    {
        using var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var response = await client.PostAsync($"/api/v1/imports?{query}", content);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiAnswer(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    public static Task<ApiAnswer> UploadCsvAsync(this HttpClient client, string csv, string query = "fileName=people.csv") =>
        client.UploadAsync(query, Encoding.UTF8.GetBytes(csv), "text/csv");

    /// <summary>Starts a dry run or a run and waits until the job has finished it.</summary>
    public static async Task<JsonElement> RunAsync(this HttpClient client, Guid jobId, string step = "run")
    {
        var started = await client.PostJsonAsync($"/api/v1/imports/{jobId}/{step}", new { });
        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        var job = await client.WaitUntilAsync(jobId, "completed");
        // A failed job says why in its error; that is what a failing test should show.
        Assert.True(job.Str("status") == "completed", $"import {jobId} ended as {job}");
        return job;
    }

    public static async Task<JsonElement> WaitUntilAsync(this HttpClient client, Guid jobId, string status) =>
        (await Eventually.ReturnsAsync(() => client.GetJsonAsync($"/api/v1/imports/{jobId}"),
            job => job.Body.Str("status") == status || job.Body.Str("status") == "failed", $"import {jobId} is {status}", TimeSpan.FromSeconds(60)))
        .Body;

    public static int Total(this JsonElement job, string name) => job.GetProperty("totals").GetProperty(name).GetInt32();

    /// <summary>Events in the outbox about a person, by type name (PersonCreated...).</summary>
    public static Task<List<string>> EventsAboutAsync(PlatformServices platform, Guid personId) =>
        PlatformServices.QueryAsync(platform.Contacts, db => db.OutboxMessages
            .Where(m => EF.Functions.JsonContains(m.Payload, $"{{\"aggregateId\":\"{personId}\"}}"))
            .OrderBy(m => m.Sequence).Select(m => m.EventType).ToListAsync());

    public static async Task<JsonElement?> PersonByEmailAsync(this HttpClient client, string email)
    {
        var page = await client.GetJsonAsync($"/api/v1/people?filter[email]={Uri.EscapeDataString(email)}");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var items = page.Body.GetProperty("items");
        return items.GetArrayLength() == 0 ? null : items[0];
    }
}
