using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <summary>
    /// The phones index takes new entries at once instead of in GIN's pending list. The duplicate rules look up every
    /// new person's numbers in it; during an import the pending list was always full and each lookup scanned it:
    /// 2.95 ms instead of 0.01 ms, three seconds per 1,000-row batch. A person has one or two numbers, so writing them
    /// straight into the index costs little.
    /// </summary>
    public partial class PhonesIndexWithoutPendingList : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER INDEX ix_people_phones SET (fastupdate = off);
                SELECT gin_clean_pending_list('ix_people_phones');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER INDEX ix_people_phones RESET (fastupdate);");
        }
    }
}
