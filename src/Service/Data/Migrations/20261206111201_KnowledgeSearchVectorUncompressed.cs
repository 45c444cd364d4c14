using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Service.Data.Migrations
{
    /// <inheritdoc />
    public partial class KnowledgeSearchVectorUncompressed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Out of line but uncompressed: every match of a common word is ranked by reading its vector, and
            // decompressing ~2.5 kB per match was most of a search's time (bench/KnowledgeBench). The UPDATE
            // recomputes the generated column, so rows already stored take the new storage too.
            migrationBuilder.Sql("""
                ALTER TABLE knowledge_articles ALTER COLUMN search_vector SET STORAGE EXTERNAL;
                UPDATE knowledge_articles SET title = title;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE knowledge_articles ALTER COLUMN search_vector SET STORAGE EXTENDED;");
        }
    }
}
