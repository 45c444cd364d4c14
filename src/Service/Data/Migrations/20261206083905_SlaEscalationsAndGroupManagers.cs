using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Service.Data.Migrations
{
    /// <inheritdoc />
    public partial class SlaEscalationsAndGroupManagers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "manager_email",
                table: "support_groups",
                type: "character varying(320)",
                maxLength: 320,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "manager_id",
                table: "support_groups",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "sla_escalations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    ticket_id = table.Column<Guid>(type: "uuid", nullable: false),
                    target = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    policy_id = table.Column<Guid>(type: "uuid", nullable: false),
                    priority = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    group_id = table.Column<Guid>(type: "uuid", nullable: true),
                    previous_assignee_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    assignee_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    action = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    manager_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    manager_email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    notification = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sla_escalations", x => x.id);
                    table.ForeignKey(
                        name: "fk_sla_escalations_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_sla_escalations_notification_created_at",
                table: "sla_escalations",
                columns: new[] { "notification", "created_at" },
                filter: "notification = 'pending'");

            migrationBuilder.CreateIndex(
                name: "ix_sla_escalations_ticket_id_target",
                table: "sla_escalations",
                columns: new[] { "ticket_id", "target" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sla_escalations");

            migrationBuilder.DropColumn(
                name: "manager_email",
                table: "support_groups");

            migrationBuilder.DropColumn(
                name: "manager_id",
                table: "support_groups");
        }
    }
}
