using System.Security.Cryptography;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Persistence.Idempotency;

/// <summary>
/// <c>Idempotency-Key</c> on POST: the first request runs and its answer is kept for <see cref="Retention"/>; a retry
/// with the same key and the same request gets that answer again (with <c>Idempotent-Replayed: true</c>), the same key
/// with a different request gets 422, and a retry while the first is still running gets 409. A 5xx answer is not kept,
/// so the client may retry it.
/// </summary>
public static class IdempotentPosts
{
    public const string HeaderName = "Idempotency-Key";
    public static readonly TimeSpan Retention = TimeSpan.FromHours(48);

    /// <summary>A first request that never finished (its process died) stops blocking its key after this long.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(2);

    private static long _nextCleanupTicks;

    public static WebApplication UseIdempotentPosts<TDbContext>(this WebApplication app)
        where TDbContext : TenantDbContext, IIdempotencyDbContext
    {
        app.Use(async (context, next) =>
        {
            var tenant = context.RequestServices.GetRequiredService<TenantContext>();
            if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Headers.TryGetValue(HeaderName, out var header) || !tenant.IsSet)
            {
                await next(context);
                return;
            }

            var key = header.ToString();
            if (key.Length is 0 or > IdempotencyModel.KeyMaxLength)
            {
                await Problem(context, StatusCodes.Status400BadRequest, "Invalid Idempotency-Key",
                    $"An Idempotency-Key has 1 to {IdempotencyModel.KeyMaxLength} characters.");
                return;
            }

            // A scope of its own, so the record is saved apart from whatever the endpoint's DbContext does or fails to do.
            await using var scope = context.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenant.TenantId;
            var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
            var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
            var now = clock.GetUtcNow().UtcDateTime;
            await DeleteExpiredAsync(db, now);

            var hash = await HashAsync(context.Request);
            var existing = await db.IdempotencyRecords.SingleOrDefaultAsync(r => r.Key == key, context.RequestAborted);
            if (existing is not null && existing.StatusCode is null && now - existing.CreatedAt > Abandoned)
            {
                db.IdempotencyRecords.Remove(existing);
                await db.SaveChangesAsync(context.RequestAborted);
                existing = null;
            }
            if (existing is not null)
            {
                await AnswerRepeatAsync(context, existing, hash);
                return;
            }

            var record = new IdempotencyRecord { Key = key, RequestHash = hash, CreatedAt = now };
            db.IdempotencyRecords.Add(record);
            try
            {
                await db.SaveChangesAsync(context.RequestAborted);
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                await Problem(context, StatusCodes.Status409Conflict, "Request in progress",
                    "A request with this Idempotency-Key is being processed; retry shortly.");
                return;
            }

            await RunAndKeepAnswerAsync(context, next, db, record);
        });
        return app;
    }

    private static async Task RunAndKeepAnswerAsync(HttpContext context, RequestDelegate next, TenantDbContext db, IdempotencyRecord record)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            db.Set<IdempotencyRecord>().Remove(record);
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        if (context.Response.StatusCode >= 500)
        {
            db.Set<IdempotencyRecord>().Remove(record);
        }
        else
        {
            record.StatusCode = context.Response.StatusCode;
            record.ContentType = context.Response.ContentType;
            record.Location = context.Response.Headers.Location;
            record.ETag = context.Response.Headers.ETag;
            record.Body = buffer.ToArray();
        }
        await db.SaveChangesAsync(CancellationToken.None);
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task AnswerRepeatAsync(HttpContext context, IdempotencyRecord existing, string hash)
    {
        if (existing.RequestHash != hash)
        {
            await Problem(context, StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused",
                "This Idempotency-Key was used for a different request; use a new key for a new request.");
            return;
        }
        if (existing.StatusCode is not { } status)
        {
            await Problem(context, StatusCodes.Status409Conflict, "Request in progress",
                "A request with this Idempotency-Key is being processed; retry shortly.");
            return;
        }

        context.Response.StatusCode = status;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        if (existing.ContentType is not null)
        {
            context.Response.ContentType = existing.ContentType;
        }
        if (!string.IsNullOrEmpty(existing.Location))
        {
            context.Response.Headers.Location = existing.Location;
        }
        if (!string.IsNullOrEmpty(existing.ETag))
        {
            context.Response.Headers.ETag = existing.ETag;
        }
        if (existing.Body is { Length: > 0 } body)
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static async Task<string> HashAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            sha.AppendData(chunk, 0, read);
        }
        request.Body.Position = 0;
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>Keys older than the retention are dropped about once a minute per process, not on every request.</summary>
    private static async Task DeleteExpiredAsync(TenantDbContext db, DateTime now)
    {
        var next = Interlocked.Read(ref _nextCleanupTicks);
        if (now.Ticks < next || Interlocked.CompareExchange(ref _nextCleanupTicks, now.AddMinutes(1).Ticks, next) != next)
        {
            return;
        }
        var cutoff = now - Retention;
        await db.Set<IdempotencyRecord>().IgnoreQueryFilters().Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync();
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}
