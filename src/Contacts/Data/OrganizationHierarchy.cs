using CrmPlatform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Data;

/// <summary>
/// The organization tree, walked in SQL with recursive queries (one round trip however deep), and the lock that keeps
/// it a tree. The walks are tenant-wide, below record scopes: callers load the organizations they return through the
/// scoped <c>Organizations</c> set, and a cycle check must see every ancestor, visible or not.
/// </summary>
public static class OrganizationHierarchy
{
    /// <summary>The most organizations a subtree answer lists; beyond it the answer says it is truncated.</summary>
    public const int MaxTreeSize = 1000;

    /// <param name="Depth">Steps from the organization the walk started at: 1 for a parent or a direct subsidiary.</param>
    public sealed record Node(Guid Id, Guid? ParentOrganizationId, int Depth);

    /// <summary>The parent, its parent and so on up to the root, nearest first.</summary>
    public static Task<List<Node>> AncestorsAsync(this ContactsDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var tenant = db.CurrentTenantId;
        return db.Database.SqlQuery<Node>($"""
            WITH RECURSIVE ancestors AS (
                SELECT o.id, o.parent_organization_id, 0 AS depth
                FROM organizations o WHERE o.id = {id} AND o.tenant_id = {tenant}
                UNION ALL
                SELECT p.id, p.parent_organization_id, a.depth + 1
                FROM organizations p JOIN ancestors a ON p.id = a.parent_organization_id
                WHERE p.tenant_id = {tenant}
            ) CYCLE id SET is_cycle USING visited
            SELECT id, parent_organization_id, depth FROM ancestors WHERE depth > 0 AND NOT is_cycle
            """).OrderBy(node => node.Depth).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Every organization below this one, depth first with siblings by name (a tree can be drawn from the list as it
    /// comes), at most <paramref name="limit"/>.
    /// </summary>
    public static Task<List<Node>> SubtreeAsync(this ContactsDbContext db, Guid id, int limit, CancellationToken cancellationToken)
    {
        var tenant = db.CurrentTenantId;
        return db.Database.SqlQuery<Node>($"""
            WITH RECURSIVE subtree AS (
                SELECT o.id, o.parent_organization_id, 0 AS depth, ARRAY[lower(o.name) || ' ' || o.id::text] AS path
                FROM organizations o WHERE o.id = {id} AND o.tenant_id = {tenant}
                UNION ALL
                SELECT c.id, c.parent_organization_id, s.depth + 1, s.path || (lower(c.name) || ' ' || c.id::text)
                FROM organizations c JOIN subtree s ON c.parent_organization_id = s.id
                WHERE c.tenant_id = {tenant}
            ) CYCLE id SET is_cycle USING visited
            SELECT id, parent_organization_id, depth FROM subtree WHERE depth > 0 AND NOT is_cycle ORDER BY path LIMIT {limit}
            """).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Serializes changes of parents within a tenant until the transaction ends. Two concurrent moves (A under B, B
    /// under A) would each pass a cycle check that cannot see the other; with the lock the second sees the first.
    /// </summary>
    public static Task LockAsync(this ContactsDbContext db, CancellationToken cancellationToken) =>
        db.LockForTransactionAsync("organization-hierarchy:" + db.CurrentTenantId, cancellationToken);
}
