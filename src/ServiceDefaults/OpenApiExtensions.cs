using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// One OpenAPI 3.1 document per service at <c>/openapi/v1.json</c>, with the bearer-token security scheme; the gateway
/// serves them all in one docs UI. Readable without a token: it describes the API, it holds no data.
/// </summary>
public static class OpenApiExtensions
{
    public const string DocumentPath = "/openapi/{documentName}.json";

    public static TBuilder AddDefaultOpenApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = $"CRM {builder.Environment.ApplicationName.Replace("CrmPlatform.", "")} API";
            document.Info.Description = "Errors are RFC 9457 problem details with a traceId. Updates and deletes need If-Match; POST accepts Idempotency-Key.";
            document.Info.Contact = new OpenApiContact { Name = "CRM Platform maintainers" };
            foreach (var server in document.Servers ?? [])
            {
                server.Url = server.Url?.TrimEnd('/');
            }
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from POST /connect/token (client credentials) or the authorization-code flow.",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] });
            OpenApiClientConventions.NullableJsonAsAnyJson(document);
            return Task.CompletedTask;
        })
        .AddOperationTransformer((operation, context, _) =>
        {
            OpenApiClientConventions.Name(operation, context.Description.ActionDescriptor.EndpointMetadata);
            ListParametersDocs.Document(operation, context.Description.ActionDescriptor.EndpointMetadata);
            return Task.CompletedTask;
        })
        .AddSchemaTransformer((schema, context, _) =>
        {
            OpenApiClientConventions.WithoutNullInEnum(schema);
            OpenApiClientConventions.DateTimeAsString(schema, context.JsonTypeInfo.Type);
            OpenApiClientConventions.JsonListItems(schema, context.JsonTypeInfo.Type);
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapDefaultOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        return app;
    }

    /// <summary>The problems each kind of endpoint can answer, by the API's common contract.</summary>
    private static readonly Dictionary<Operation, int[]> ProblemsOf = new()
    {
        [Operation.Read] = [StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound],
        [Operation.Create] = [StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity],
        [Operation.Update] =
        [
            StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed,
            StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status428PreconditionRequired,
        ],
        [Operation.Delete] = [StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status428PreconditionRequired],
    };

    /// <summary>Documents the problems of this kind of endpoint, plus 401, 403 and 429, which every endpoint can answer.</summary>
    public static TBuilder ProducesProblemsOf<TBuilder>(this TBuilder endpoint, Operation operation) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var statusCode in ProblemsOf[operation].Concat([StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests]))
        {
            endpoint.ProducesProblem(statusCode);
        }
        return endpoint;
    }
}
