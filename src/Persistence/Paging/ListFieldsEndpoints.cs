using Microsoft.AspNetCore.Builder;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.AspNetCore.Http;

namespace CrmPlatform.Persistence.Paging;

public static class ListFieldsEndpoints
{
    /// <summary>
    /// This endpoint lists with <paramref name="fields"/>: its OpenAPI operation documents limit, cursor, sort and
    /// filters. <paramref name="requestSorts"/> are sorts the handler adds per request (a search's relevance).
    /// </summary>
    public static TBuilder Lists<TBuilder, TEntity>(this TBuilder endpoint, ListFields<TEntity> fields, params string[] requestSorts)
        where TBuilder : IEndpointConventionBuilder where TEntity : class, IKeysetOrdered
    {
        var parameters = fields.Parameters();
        return endpoint.WithMetadata(parameters with { Sorts = [.. parameters.Sorts.Concat(requestSorts).Order(StringComparer.Ordinal)] });
    }
}
