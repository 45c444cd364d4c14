using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.AppHost.Messaging;

/// <summary><c>GET /api/messaging/error-queues</c> and <c>POST /api/messaging/error-queues/{name}/replay</c>.</summary>
public static class ErrorQueuesApi
{
    public static void MapErrorQueuesApi(this RouteGroupBuilder api)
    {
        var queues = api.MapGroup("/messaging/error-queues");
        queues.MapGet("/", ListAsync);
        queues.MapPost("/{name}/replay", ReplayAsync).DisableAntiforgery();
    }

    private static async Task<Results<Ok<IReadOnlyList<ErrorQueue>>, ProblemHttpResult>> ListAsync(ErrorQueues errorQueues, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await errorQueues.ListAsync(cancellationToken));
        }
        catch (InvalidOperationException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<Results<Ok<ReplayResult>, ProblemHttpResult>> ReplayAsync(string name, ErrorQueues errorQueues, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(new ReplayResult(name, await errorQueues.ReplayAsync(name, cancellationToken)));
        }
        catch (KeyNotFoundException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound);
        }
        catch (InvalidOperationException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    public sealed record ReplayResult(string Queue, int Replayed);
}
