using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Hostile;

/// <summary>
/// The live route table equals the OpenAPI document: every endpoint a client can reach is documented, and every
/// documented operation exists. Compared generically, so endpoints added later are covered without editing this test.
/// </summary>
public partial class RouteTableTests(TaskTrackerApp app) : IClassFixture<TaskTrackerApp>
{
    /// <summary>
    /// Operational endpoints deliberately left out of the API document. They are documented in the README
    /// (Configuration → Operational endpoints), are meant for probes and scrapers rather than API clients, and
    /// take no input. Swagger UI and static files are middleware, not endpoints, so they never appear here.
    /// </summary>
    public static readonly HashSet<string> OperationalPaths = ["/health/live", "/health/ready", "/metrics"];

    public static async Task<HashSet<string>> DocumentedOperations(HttpClient http)
    {
        var doc = JsonDocument.Parse(await (await http.GetAsync("/swagger/v1/swagger.json")).Content.ReadAsStringAsync()).RootElement;
        var ops = new HashSet<string>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            foreach (var op in path.Value.EnumerateObject())
                if (op.Name is "get" or "put" or "post" or "delete" or "patch" or "head" or "options" or "trace")
                    ops.Add($"{op.Name.ToUpperInvariant()} {Normalise(path.Name)}");
        return ops;
    }

    public static HashSet<string> LiveOperations(IServiceProvider services, out List<string> unexplained)
    {
        var live = new HashSet<string>();
        unexplained = [];
        foreach (var e in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var template = Normalise("/" + (e.RoutePattern.RawText ?? "").TrimStart('/'));
            if (OperationalPaths.Contains(template)) continue;
            var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            // An endpoint without a method restriction answers every method: it would be undocumented for all of them.
            if (methods is null || methods.Count == 0) { unexplained.Add($"* {template} ({e.DisplayName})"); continue; }
            foreach (var m in methods) live.Add($"{m} {template}");
        }
        return live;
    }

    /// <summary>"/api/targets/{targetId:int}/" → "/api/targets/{targetId}": constraints and defaults are not part of the document's paths.</summary>
    public static string Normalise(string template)
    {
        var t = Constraint().Replace(template, m => "{" + m.Groups[1].Value + "}");
        return t.Length > 1 ? t.TrimEnd('/') : t;
    }

    [GeneratedRegex(@"\{\*{0,2}([A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex Constraint();

    [Fact]
    public async Task Live_routes_equal_the_OpenAPI_document()
    {
        var documented = await DocumentedOperations(app.CreateClient());
        var live = LiveOperations(app.Services, out var unexplained);
        Assert.Empty(unexplained);
        Assert.True(live.Count > 20, $"only {live.Count} live routes found");
        var undocumented = live.Except(documented).Order().ToList();
        var missing = documented.Except(live).Order().ToList();
        Assert.True(undocumented.Count == 0 && missing.Count == 0,
            $"undocumented endpoints: [{string.Join(", ", undocumented)}]; documented but not served: [{string.Join(", ", missing)}]");
    }

    [Fact]
    public void The_comparison_normalises_constraints_and_trailing_slashes()
    {
        Assert.Equal("/api/reports/{reportId}/review", Normalise("/api/reports/{reportId:long}/review"));
        Assert.Equal("/api/tokens", Normalise("/api/tokens/"));
        Assert.Equal("/files/{path}", Normalise("/files/{**path:nonfile}"));
        Assert.Equal("/", Normalise("/"));
    }
}
