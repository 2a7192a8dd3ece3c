using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskTracker.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ColdReadIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Reports_Heads",
                table: "Reports",
                columns: new[] { "PlanId", "MeasureId", "AgencyId", "AsOf", "ReviewStatus", "FiledAtUtc", "Id" },
                filter: "\"SubUnit\" IS NULL AND \"Value\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Reports_PlanId_ReviewStatus_FiledAtUtc_Id",
                table: "Reports",
                columns: new[] { "PlanId", "ReviewStatus", "FiledAtUtc", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Reports_Heads",
                table: "Reports");

            migrationBuilder.DropIndex(
                name: "IX_Reports_PlanId_ReviewStatus_FiledAtUtc_Id",
                table: "Reports");
        }
    }
}
