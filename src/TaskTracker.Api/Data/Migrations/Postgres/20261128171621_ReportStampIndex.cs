using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace TaskTracker.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ReportStampIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Reports_PlanId_Id_Version",
                table: "Reports",
                columns: new[] { "PlanId", "Id", "Version" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Reports_PlanId_Id_Version",
                table: "Reports");
        }
    }
}
