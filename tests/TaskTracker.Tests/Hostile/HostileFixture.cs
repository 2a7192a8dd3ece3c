using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Domain;
using TaskTracker.Features.Progress;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Hostile;

/// <summary>One service for the whole hostile suite: tokens of every kind, and ids that belong to the caller's agency and to another.</summary>
public sealed class HostileFixture : TaskTrackerApp
{
    public const string Agency = "bigdata-bureau", OtherAgency = "comms-admin";
    public Dictionary<string, string?> Tokens { get; } = new();
    /// <summary>Path parameter values: own ids, and ids that belong to another agency.</summary>
    public Dictionary<string, string> Own { get; } = new();
    public Dictionary<string, string> Other { get; } = new();
    public JsonElement OpenApi { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Tokens["none"] = null;
        Tokens["bogus"] = "tt_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Tokens["viewer"] = await TokenAsync(Role.Viewer);
        Tokens["reporter"] = await TokenAsync(Role.Reporter, Agency);
        Tokens["other-reporter"] = await TokenAsync(Role.Reporter, OtherAgency);
        Tokens["office"] = await TokenAsync(Role.Office);
        Tokens["admin"] = await TokenAsync(Role.Admin);
        Tokens["expired"] = await TokenAsync(Role.Office, expires: new DateOnly(2025, 7, 1));
        Tokens["revoked"] = await TokenAsync(Role.Admin);
        await WithDb(async db =>
        {
            var expiredHash = Features.Access.TokenService.Hash(Tokens["expired"]!);
            var revokedHash = Features.Access.TokenService.Hash(Tokens["revoked"]!);
            await db.Tokens.Where(t => t.Hash == expiredHash).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAtUtc, new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc)));
            return await db.Tokens.Where(t => t.Hash == revokedHash).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAtUtc, new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc)));
        });

        OpenApi = JsonDocument.Parse(await (await CreateClient().GetAsync("/swagger/v1/swagger.json")).Content.ReadAsStringAsync()).RootElement.Clone();

        var (ownTarget, ownReport) = await FileOnFirstTarget(Tokens["reporter"]!);
        var (otherTarget, otherReport) = await FileOnFirstTarget(Tokens["other-reporter"]!, notFor: Tokens["reporter"]);
        Own["targetId"] = ownTarget.ToString(); Own["reportId"] = ownReport.ToString();
        Other["targetId"] = otherTarget.ToString(); Other["reportId"] = otherReport.ToString();
        Own["milestoneId"] = (await FileOnFirstMilestone(Tokens["reporter"]!)).ToString();
        Other["milestoneId"] = (await FileOnFirstMilestone(Tokens["other-reporter"]!, notFor: Tokens["reporter"])).ToString();
        var ownCode = await WithDb(db => db.Measures.Where(m => m.Id == ownTarget).Select(m => m.Code).SingleAsync());
        var otherCode = await WithDb(db => db.Measures.Where(m => m.Id == otherTarget).Select(m => m.Code).SingleAsync());
        Own["id"] = (await Instruction(ownCode, Agency)).ToString();
        Other["id"] = (await Instruction(otherCode, OtherAgency)).ToString();
        Own["plan"] = "guizhou-2025"; Other["plan"] = "demo-2026";
        Own["number"] = "2"; Other["number"] = "36";
        Own["agencyCode"] = Agency; Other["agencyCode"] = OtherAgency;
        Own["measureCode"] = ownCode; Other["measureCode"] = otherCode;
        Own["idOrPrefix"] = await WithDb(db => db.Tokens.OrderByDescending(t => t.Id).Select(t => t.Prefix).FirstAsync());
        Other["idOrPrefix"] = "1";
    }

    /// <param name="notFor">Skip measures this token may also report on (authorisation runs first, so an empty body answers 403 without writing).</param>
    private async Task<(int Target, long Report)> FileOnFirstTarget(string token, string? notFor = null)
    {
        var http = ClientWith(token);
        var ids = await WithDb(db => db.Targets.Where(t => t.Plan.Code == "guizhou-2025").OrderBy(t => t.Id).Select(t => t.Id).ToListAsync());
        foreach (var id in ids)
        {
            if (notFor is not null && (await ClientWith(notFor).PostAsJsonAsync($"/api/targets/{id}/reports", new { })).StatusCode != HttpStatusCode.Forbidden) continue;
            var r = await http.PostAsJsonAsync($"/api/targets/{id}/reports", new { value = 1, asOf = "2025-06-30" });
            if (r.StatusCode == HttpStatusCode.Created) return (id, (await r.ReadJson<ReportDto>()).Id);
        }
        throw new InvalidOperationException("no target accepts a report from this token");
    }

    private async Task<int> FileOnFirstMilestone(string token, string? notFor = null)
    {
        var http = ClientWith(token);
        var ids = await WithDb(db => db.Milestones.Where(t => t.Plan.Code == "guizhou-2025" && t.Recurrence == Recurrence.None).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync());
        foreach (var id in ids)
        {
            if (notFor is not null && (await ClientWith(notFor).PostAsJsonAsync($"/api/milestones/{id}/reports", new { })).StatusCode != HttpStatusCode.Forbidden) continue;
            var r = await http.PostAsJsonAsync($"/api/milestones/{id}/reports", new { status = "in-progress", asOf = "2025-06-30" });
            if (r.StatusCode == HttpStatusCode.Created) return id;
        }
        throw new InvalidOperationException("no milestone accepts a report from this token");
    }

    private async Task<int> Instruction(string measureCode, string agency)
    {
        var r = await ClientWith(Tokens["office"]).PostAsJsonAsync("/api/plans/guizhou-2025/instructions",
            new { measureCode, agency, text = "请说明进度", replyBy = "2025-09-30" });
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt32();
    }

    /// <summary>Row counts of every table plus a checksum of the rows a write could touch.</summary>
    public Task<string> SnapshotAsync() => WithDb(async db =>
    {
        var sb = new StringBuilder();
        var conn = db.Database.GetDbConnection();
        if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync();
        foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()).Where(t => t is not null).Distinct().Order())
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            sb.Append(table).Append('=').Append(Convert.ToInt64(await cmd.ExecuteScalarAsync())).Append(';');
        }
        var json = new JsonSerializerOptions { ReferenceHandler = System.Text.Json.Serialization.ReferenceHandler.IgnoreCycles };
        sb.Append(JsonSerializer.Serialize(await db.Reports.AsNoTracking().OrderBy(r => r.Id).ToListAsync(), json));
        sb.Append(JsonSerializer.Serialize(await db.Audit.AsNoTracking().OrderBy(r => r.Id).ToListAsync(), json));
        sb.Append(JsonSerializer.Serialize(await db.Instructions.AsNoTracking().OrderBy(r => r.Id).ToListAsync(), json));
        sb.Append(JsonSerializer.Serialize(await db.InstructionEntries.AsNoTracking().OrderBy(r => r.Id).ToListAsync(), json));
        sb.Append(JsonSerializer.Serialize(await db.Tokens.AsNoTracking().OrderBy(r => r.Id).Select(t => new { t.Id, t.RevokedAtUtc, t.ExpiresAtUtc }).ToListAsync(), json));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString()))) + " " + sb.ToString()[..Math.Min(400, sb.Length)];
    });
}
