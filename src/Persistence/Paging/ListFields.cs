using System.Linq.Expressions;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Persistence.Paging;

/// <summary>
/// What a list can be filtered by (<c>?filter[field]=value</c>, exact match) and sorted by (<c>?sort=field</c> or
/// <c>?sort=-field</c>). Anything else is answered with 400 rather than silently ignored. Every list can be sorted by
/// <c>createdAt</c>, its default order.
/// </summary>
public sealed class ListFields<TEntity> where TEntity : class, IKeysetOrdered
{
    internal const string DefaultSort = "createdAt";

    internal Dictionary<string, FilterField> Filters { get; } = [];
    internal Dictionary<string, SortField> Sorts { get; } = new() { [DefaultSort] = SortField.For(Property(nameof(IKeysetOrdered.CreatedAt))) };

    /// <summary>A sort key, compiled once: the next cursor reads it from the page's last row.</summary>
    internal sealed record SortField(LambdaExpression Key, Func<TEntity, object> Read)
    {
        public static SortField For(LambdaExpression key) => new(key, Compile(key));

        private static Func<TEntity, object> Compile(LambdaExpression key)
        {
            var row = key.Parameters[0];
            return Expression.Lambda<Func<TEntity, object>>(Expression.Convert(key.Body, typeof(object)), row).Compile();
        }
    }

    /// <summary>
    /// The entity's own property, not the interface's: EF translates <c>Person.CreatedAt</c> but not
    /// <c>IKeysetOrdered.CreatedAt</c>, which is what a lambda over a generic <typeparamref name="TEntity"/> would name.
    /// </summary>
    internal static LambdaExpression Property(string name)
    {
        var row = Expression.Parameter(typeof(TEntity), "row");
        return Expression.Lambda(Expression.Property(row, name), row);
    }

    internal sealed record FilterField(LambdaExpression Selector, Type Type, Func<string, string> Normalize);

    /// <param name="normalize">Applied to the value first, e.g. lower-casing to match a normalized column.</param>
    public ListFields<TEntity> Filter<TValue>(string name, Expression<Func<TEntity, TValue>> field, Func<string, string>? normalize = null)
    {
        Filters[name] = new FilterField(field, typeof(TValue), normalize ?? (value => value));
        return this;
    }

    /// <summary>Sort keys must never be null: keyset paging compares them.</summary>
    public ListFields<TEntity> Sort<TValue>(string name, Expression<Func<TEntity, TValue>> key) where TValue : notnull
    {
        Sorts[name] = SortField.For(key);
        return this;
    }
}
