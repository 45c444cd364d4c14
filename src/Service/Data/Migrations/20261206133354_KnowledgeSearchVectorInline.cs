using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Service.Data.Migrations
{
    /// <inheritdoc />
    public partial class KnowledgeSearchVectorInline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // In the row, uncompressed: ranking a common word reads the vector of every match, and fetching each from
            // the TOAST table (an index lookup and two chunks per vector) was most of a search's time; inline, the
            // agents' type-ahead search for "Rechnungen" went from 27 to 19 ms (psql, bench/KnowledgeBench's database).
            // MAIN keeps the vector in the row while it fits; with rows up to 4 kB before TOAST moves anything, the
            // article's bodies go out of line first. The UPDATE recomputes the generated column, so rows already
            // stored take the new layout too.
            migrationBuilder.Sql("""
                ALTER TABLE knowledge_articles ALTER COLUMN search_vector SET STORAGE MAIN, SET (toast_tuple_target = 4096);
                UPDATE knowledge_articles SET title = title;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE knowledge_articles ALTER COLUMN search_vector SET STORAGE EXTERNAL, RESET (toast_tuple_target);");
        }
    }
}
