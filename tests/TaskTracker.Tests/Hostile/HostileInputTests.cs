using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace TaskTracker.Tests.Hostile;

/// <summary>
/// Every operation of the service's own OpenAPI document gets hostile input: bad and missing tokens, other agencies'
/// and bogus ids, hostile query values, malformed and wrongly typed bodies, forbidden fields, oversized strings and
/// bodies, Unicode edge cases, SQL- and script-looking text, NaN/Infinity/1e309, extreme dates, odd content types
/// and preconditions. No answer may be a 5xx, every error is problem+json with its status, and a rejected write
/// leaves the database exactly as it was. Each test collects all failures and names the operation and case.
/// </summary>
public class HostileInputTests(HostileFixture app, ITestOutputHelper output) : IClassFixture<HostileFixture>
{
    private sealed record Op(string Method, string Template, JsonElement Spec)
    {
        public bool IsWrite => Method != "GET";
        public override string ToString() => $"{Method} {Template}";
        public IEnumerable<JsonElement> Parameters(string kind) => Spec.TryGetProperty("parameters", out var ps)
            ? ps.EnumerateArray().Where(p => p.GetProperty("in").GetString() == kind) : [];
        public string? JsonSchemaRef => Spec.TryGetProperty("requestBody", out var rb) && rb.GetProperty("content").TryGetProperty("application/json", out var j)
            && j.GetProperty("schema").TryGetProperty("$ref", out var r) ? r.GetString() : null;
        public bool IsBulk => Template.EndsWith("/bulk");
        public bool Idempotent => Spec.TryGetProperty("summary", out var s) && s.GetString()!.Contains("Idempotency-Key");
    }

    /// <summary>A request to send: body bytes and content type, extra headers, and what must hold of the answer.</summary>
    private sealed record Case(string Name, byte[]? Body = null, string? ContentType = "application/json", Dictionary<string, string>? Headers = null,
        bool MustReject = false, int? Expect = null, string? Url = null);

    private string? _baseline;
    private readonly Dictionary<string, string> _rightToken = new();

    private IReadOnlyList<Op> Ops() =>
    [
        .. app.OpenApi.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()
            .Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete")
            .Select(o => new Op(o.Name.ToUpperInvariant(), p.Name, o.Value))),
    ];

    private string PathValue(Op op, string name, Dictionary<string, string> ids) => name switch
    {
        "code" when op.Template.Contains("/measures/") => ids["measureCode"],
        "code" => ids["agencyCode"],
        _ => ids.TryGetValue(name, out var v) ? v : "1",
    };

    private string Url(Op op, Dictionary<string, string> ids, (string Name, string Raw)? overridePath = null, string? query = null)
    {
        var url = op.Template;
        foreach (var p in op.Parameters("path"))
        {
            var name = p.GetProperty("name").GetString()!;
            var value = overridePath is { } o && o.Name == name ? o.Raw : Uri.EscapeDataString(PathValue(op, name, ids));
            url = url.Replace("{" + name + "}", value);
        }
        return query is null ? url : url + "?" + query;
    }

    // ---------- bodies ----------

    private JsonElement Schema(string reference) => app.OpenApi.GetProperty("components").GetProperty("schemas").GetProperty(reference.Split('/')[^1]);

    private Dictionary<string, JsonElement> Properties(Op op) => op.JsonSchemaRef is { } r
        ? Schema(r).GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value) : [];

    private static string Kind(JsonElement prop, Func<string, JsonElement> schema)
    {
        if (prop.TryGetProperty("$ref", out var r)) return schema(r.GetString()!).TryGetProperty("enum", out _) ? "enum" : "object";
        var type = prop.TryGetProperty("type", out var t) ? t.GetString() : null;
        var format = prop.TryGetProperty("format", out var f) ? f.GetString() : null;
        return (type, format) switch { ("string", "date") => "date", ("string", _) => "string", ("number", _) => "number", ("integer", _) => "integer", ("boolean", _) => "boolean", ("array", _) => "array", _ => "object" };
    }

    /// <summary>A body that is valid for the caller with the right token (names the caller's own agency and measures).</summary>
    private JsonObject ValidBody(Op op)
    {
        var body = new JsonObject();
        foreach (var (name, prop) in Properties(op))
        {
            JsonNode? value = name switch
            {
                "value" => 5, "asOf" => "2025-06-30", "status" => "in-progress", "decision" => "accept", "action" => "close",
                "comment" => "已核实", "text" => "请说明进度", "replyBy" => "2025-09-30", "extensionTo" => "2025-10-31",
                "reason" => "补录", "narrative" => "按计划推进", "evidence" => new JsonArray("https://dsj.guizhou.gov.cn/"),
                "measureCode" => app.Own["measureCode"], "agency" => HostileFixture.Agency, "role" => "reporter", "name" => "hostile",
                "expires" => "2025-12-31",
                "subUnit" or "period" or "taskNumber" => null,
                _ => Kind(prop, Schema) switch { "string" => "x", "number" or "integer" => 1, "date" => "2025-06-30", "boolean" => true, _ => null },
            };
            if (value is not null) body[name] = value;
        }
        return body;
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The valid body with one property's JSON replaced by raw text (which need not be valid JSON).</summary>
    private static byte[] WithRaw(JsonObject valid, string prop, string rawJson)
    {
        var copy = (JsonObject)valid.DeepClone();
        copy[prop] = "__HOSTILE__";
        return Utf8(copy.ToJsonString().Replace("\"__HOSTILE__\"", rawJson));
    }

    private static readonly string[] HostileStrings =
    [
        "\"a\\u0000b\"", "\"\\u202Eevil\\u202C\"", "\"📈🚀👩‍💻\"", "\"贵州Guizhou𠀀العربيةкириллица\"", "\"\\ud800\"", "\"\\udc00x\\ud800\"",
        "\"\\u200B\\uFEFF\"", "\"'; DROP TABLE \\\"Reports\\\"; --\"", "\"' OR '1'='1\"", "\"<script>alert(1)</script>\"",
        "\"{{7*7}}${jndi:ldap://x}\"", "\"   \"", "\"\"", "\"\\r\\n\\t\"",
    ];

    private static readonly string[] HostileNumbers =
    [
        "NaN", "Infinity", "-Infinity", "1e309", "-1e309", "1e-400", "79228162514264337593543950336", "1e28", "-0", "0.1234567891234",
        "\"NaN\"", "\"Infinity\"", "\"1e309\"", "-5", "1E+2",
    ];

    private static readonly string[] HostileDates =
    [
        "\"0001-01-01\"", "\"9999-12-31\"", "\"10000-01-01\"", "\"2025-02-30\"", "\"-2025-01-01\"", "\"2025-06-30T25:00:00\"", "\"\"",
        "\"2025-13-01\"", "\"1900-01-01\"", "\"2025-06-30\\u0000\"", "20250630",
    ];

    private IEnumerable<Case> BodyCases(Op op)
    {
        var valid = ValidBody(op);
        var validBytes = Utf8(valid.ToJsonString());
        yield return new Case("valid", validBytes);
        foreach (var (name, raw) in new[] { ("truncated", "{\"value\": 1,"), ("open-brace", "{"), ("not-json", "not json"), ("empty", ""),
                     ("array", "[]"), ("null", "null"), ("string", "\"str\""), ("two-objects", "{}{}"), ("trailing-comma", "{\"a\":1,}"),
                     ("comment", "/* x */ {}"), ("deep-nesting", new string('[', 5000) + new string(']', 5000)), ("single-quotes", "{'value': 1}") })
            yield return new Case("malformed:" + name, Utf8(raw), MustReject: true);
        yield return new Case("invalid-utf8", [.. Utf8("{\"text\":\""), 0xFF, 0xFE, 0xC0, .. Utf8("\"}")], MustReject: true);
        foreach (var ct in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data" })
            yield return new Case("content-type:" + ct, validBytes, ct, MustReject: true);
        foreach (var ct in new[] { "application/json; charset=utf-16", "application/json; charset=bogus", "application/json; charset=iso-8859-1",
                     "application/json; charset=", "application/json; charset=\"utf-8\"", "application/JSON", "application/merge-patch+json" })
            yield return new Case("content-type:" + ct, validBytes, ct);
        yield return new Case("no-content-type", validBytes, null);
        yield return new Case("missing-all-fields", Utf8("{}"));
        var props = Properties(op);
        foreach (var extra in new[] { "agency", "agencyId", "reviewStatus", "review", "id", "version", "filedAtUtc", "tokenId", "supersedesId", "Value", "__proto__" })
        {
            if (props.ContainsKey(extra)) continue;
            var copy = (JsonObject)valid.DeepClone();
            copy[extra] = extra == "reviewStatus" ? "accepted" : "guiyang";
            yield return new Case("extra-field:" + extra, Utf8(copy.ToJsonString()), MustReject: true, Expect: 400);
        }
        foreach (var (prop, schema) in props)
        {
            var kind = Kind(schema, Schema);
            var wrong = new List<string> { "{}", "true" };
            if (kind != "array") wrong.Add("[]");
            if (kind is "number" or "integer" or "boolean") wrong.Add("\"abc\"");
            if (kind is "string" or "date" or "enum" or "array") wrong.Add("123");
            if (kind == "enum") wrong.Add("\"bogus\"");
            if (kind == "array") wrong.AddRange(["[123]", "[null]", "[{}]"]);
            foreach (var w in wrong) yield return new Case($"wrong-type:{prop}={w}", WithRaw(valid, prop, w), MustReject: true);
            yield return new Case($"null:{prop}", WithRaw(valid, prop, "null"));
            if (kind is "string" or "enum")
            {
                foreach (var s in HostileStrings) yield return new Case($"text:{prop}={s}", WithRaw(valid, prop, s));
                yield return new Case($"oversized-string:{prop}", WithRaw(valid, prop, "\"" + new string('长', 100_000) + "\""), MustReject: true);
            }
            if (kind == "array")
            {
                foreach (var s in HostileStrings.Concat(["\"javascript:alert(1)\"", "\"file:///etc/passwd\"", "\"http://127.0.0.1:22/\""]))
                    yield return new Case($"array-item:{prop}=[{s}]", WithRaw(valid, prop, $"[{s}]"));
                yield return new Case($"oversized-array:{prop}", WithRaw(valid, prop, "[" + string.Join(',', Enumerable.Repeat("\"https://a.cn/\"", 5000)) + "]"), MustReject: true);
            }
            if (kind is "number" or "integer")
            {
                foreach (var n in HostileNumbers) yield return new Case($"number:{prop}={n}", WithRaw(valid, prop, n),
                    MustReject: n is "NaN" or "Infinity" or "-Infinity" or "1e309" or "-1e309" or "\"NaN\"" or "\"Infinity\"" or "\"1e309\"");
                if (kind == "integer") foreach (var n in new[] { "2147483648", "-2147483649", "1.5", "99999999999999999999" })
                        yield return new Case($"integer:{prop}={n}", WithRaw(valid, prop, n), MustReject: true);
            }
            if (kind == "date")
                foreach (var d in HostileDates) yield return new Case($"date:{prop}={d}", WithRaw(valid, prop, d));
        }
        // 2 MiB of valid JSON: over the 1 MiB limit.
        var big = (JsonObject)valid.DeepClone();
        big[props.Keys.FirstOrDefault(k => Kind(props[k], Schema) == "string") ?? "padding"] = new string('x', 2 * 1024 * 1024);
        yield return new Case("oversized-body", Utf8(big.ToJsonString()), MustReject: true, Expect: 413);
    }

    private IEnumerable<Case> HeaderCases(Op op, string reportId)
    {
        var valid = Utf8(ValidBody(op).ToJsonString());
        if (op.Template.EndsWith("/review"))
        {
            foreach (var m in new[] { "*", "\"r99999999999999999999999-v1\"", $"\"r{reportId}-v99999999999999999999\"", $"\"r{reportId}-v-1\"",
                         $"\"r{reportId}-v1\", \"r{reportId}-v2\"", "abc", "\"\"", $"r{reportId}-v1", new string('"', 3000), $"\"r{reportId}-v0\"",
                         $"W/\"r{reportId}-v1\"", "\"r1-v1\"" })
                yield return new Case("if-match:" + m[..Math.Min(m.Length, 40)], valid, Headers: new() { ["If-Match"] = m });
        }
        if (op.Idempotent)
            foreach (var k in new[] { new string('k', 300), "a b", "k\u007f", "k\u0001" })
                yield return new Case("idempotency-key:" + k[..Math.Min(k.Length, 20)], valid, Headers: new() { ["Idempotency-Key"] = k }, MustReject: true, Expect: 400);
    }

    private IEnumerable<Case> BulkCases()
    {
        const string header = "measure,value,status,period,asOf,subUnit,narrative,evidence\n";
        var code = app.Own["measureCode"];
        yield return new Case("csv:valid", Utf8(header + $"{code},3,,,2025-06-30,,,\n"), "text/csv");
        foreach (var (name, row) in new[] { ("nan", $"{code},NaN,,,2025-06-30,,,"), ("inf", $"{code},Infinity,,,2025-06-30,,,"), ("1e309", $"{code},1e309,,,2025-06-30,,,"),
                     ("nul", $"{code},3,,,2025-06-30,,a\0b,"), ("date", $"{code},3,,,10000-01-01,,,"), ("sql", $"{code},3,,,2025-06-30,,'; DROP TABLE \"Reports\";--,"),
                     ("formula", $"{code},=1+1,,,2025-06-30,,=HYPERLINK(\"x\"),"), ("quotes", $"{code},\"3,,,2025-06-30,,,"), ("unknown-measure", "ZZZ,3,,,2025-06-30,,,"),
                     ("other-agency", $"{app.Other["measureCode"]},3,,,2025-06-30,,,") })
            yield return new Case("csv:" + name, Utf8(header + row + "\n"), "text/csv", MustReject: true);
        yield return new Case("csv:rtl-and-emoji", Utf8(header + $"{code},3,,,2025-06-30,,\u202Eevil 📈 贵州,\n"), "text/csv");
        yield return new Case("csv:header-only", Utf8(header), "text/csv");
        yield return new Case("csv:empty", [], "text/csv", MustReject: true);
        yield return new Case("csv:binary", [0, 1, 2, 0xFF, 0xFE, 0, 0x80], "text/csv", MustReject: true);
        yield return new Case("csv:charset-utf16", Utf8(header + $"{code},3,,,2025-06-30,,,\n"), "text/csv; charset=utf-16");
        yield return new Case("xlsx:garbage", Utf8("PK\u0003\u0004 not really a zip"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", MustReject: true);
        yield return new Case("multipart:no-boundary", Utf8("--x\r\n\r\n"), "multipart/form-data", MustReject: true);
        yield return new Case("multipart:garbage", Utf8("garbage without boundaries"), "multipart/form-data; boundary=zzz", MustReject: true);
        yield return new Case("multipart:no-file", Utf8("--zzz\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--zzz--\r\n"), "multipart/form-data; boundary=zzz", MustReject: true);
        yield return new Case("multipart:truncated", Utf8("--zzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nmeasure"), "multipart/form-data; boundary=zzz", MustReject: true);
        yield return new Case("json", Utf8("{}"), "application/json", MustReject: true);
        yield return new Case("oversized-body", new byte[11 * 1024 * 1024], "text/csv", MustReject: true, Expect: 413);
    }

    // ---------- sending and checking ----------

    private async Task<string> RightToken(Op op)
    {
        if (_rightToken.TryGetValue(op.ToString(), out var t)) return t;
        var bodyCase = op.IsBulk ? BulkCases().First() : new Case("valid", op.JsonSchemaRef is null ? null : Utf8(ValidBody(op).ToJsonString()));
        foreach (var candidate in new[] { "reporter", "office", "admin", "viewer" })
        {
            var r = await Send(op, bodyCase, candidate, Url(op, app.Own));
            if (r.Status is not (401 or 403)) { _baseline = null; return _rightToken[op.ToString()] = candidate; }
        }
        return _rightToken[op.ToString()] = "office";
    }

    /// <summary>RightToken's probes may write; take a fresh baseline afterwards.</summary>
    private async Task<string> RightTokenFresh(Op op)
    {
        var t = await RightToken(op);
        _baseline = null;
        return t;
    }

    private async Task<(int Status, string? MediaType, string Body)> Send(Op op, Case c, string token, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(op.Method), c.Url ?? url);
        if (app.Tokens[token] is { } secret) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + secret);
        if (c.Body is not null)
        {
            request.Content = new ByteArrayContent(c.Body);
            if (c.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
        }
        var headers = c.Headers ?? [];
        if (op.Template.EndsWith("/review") && !headers.ContainsKey("If-Match"))
        {
            // A current ETag, so the body is what is being tested.
            var id = url.Split('/')[3];
            var etag = (await app.CreateClient().GetAsync($"/api/reports/{id}")).Headers.ETag?.Tag;
            if (etag is not null) headers = new(headers) { ["If-Match"] = etag };
        }
        foreach (var (k, v) in headers) request.Headers.TryAddWithoutValidation(k, v);
        using var response = await app.CreateClient().SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    private async Task Check(Op op, Case c, string token, string url, List<string> failures, bool mustBeUnauthorised = false)
    {
        if (op.IsWrite) _baseline ??= await app.SnapshotAsync();
        var (status, media, body) = await Send(op, c, token, url);
        var label = $"{op} [{c.Name}] token={token} url={(url.Length > 120 ? url[..120] + "…" : url)} → {status}";
        string Excerpt() => body.Length > 300 ? body[..300] : body;
        if (status >= 500) failures.Add($"{label}: server error {Excerpt()}");
        if (status >= 400)
        {
            if (media != "application/problem+json") failures.Add($"{label}: error is {media ?? "no body"}, not problem+json: {Excerpt()}");
            else
            {
                try
                {
                    var json = JsonDocument.Parse(body).RootElement;
                    if (!json.TryGetProperty("status", out var s) || s.GetInt32() != status) failures.Add($"{label}: problem without matching status: {Excerpt()}");
                }
                catch (JsonException) { failures.Add($"{label}: problem body is not JSON: {Excerpt()}"); }
            }
        }
        if (c.MustReject && status < 400) failures.Add($"{label}: hostile input accepted: {Excerpt()}");
        if (c.Expect is { } e && status != e && !(status is 401 or 403 or 404 && e != 413)) failures.Add($"{label}: expected {e}: {Excerpt()}");
        if (mustBeUnauthorised && status != 401) failures.Add($"{label}: expected 401 for this token");
        if (!op.IsWrite) return;
        if (status >= 400)
        {
            var after = await app.SnapshotAsync();
            if (after != _baseline) failures.Add($"{label}: rejected write changed the database");
            _baseline = after;
        }
        else _baseline = null;
    }

    private void Report(List<string> failures, int sent)
    {
        output.WriteLine($"{sent} requests, {failures.Count} failures");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} hostile requests failed:\n" + string.Join("\n", failures.Take(80)));
    }

    private Case ValidCase(Op op) => op.IsBulk ? BulkCases().First() : new Case("valid", op.JsonSchemaRef is null ? null : Utf8(ValidBody(op).ToJsonString()));

    [Fact]
    public async Task Every_operation_with_every_kind_of_token()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var op in Ops())
            foreach (var token in app.Tokens.Keys)
            {
                // Reads are open to anonymous callers here (Access:AllowAnonymousReads), and a bad token on a read is
                // treated as no token; writes must refuse every bad token with 401.
                var bad = op.IsWrite && token is "bogus" or "expired" or "revoked" or "none";
                await Check(op, ValidCase(op) with { Name = "valid-body" }, token, Url(op, app.Own), failures, mustBeUnauthorised: bad);
                sent++;
            }
        Report(failures, sent);
    }

    [Fact]
    public async Task Every_operation_with_other_agencies_and_bogus_ids()
    {
        var failures = new List<string>();
        var sent = 0;
        string[] ints = ["0", "-1", "2147483648", "9223372036854775808", "99999999999", "abc", "1.5", "1e309", "NaN"];
        // No %00 here: TestServer refuses to build such a path (InvalidOperationException in the client), and Kestrel
        // answers 400 before the application sees it; NUL is covered in query strings and bodies.
        string[] strings = ["nope", "%27%3B%20DROP%20TABLE%20%22Reports%22%3B--", "%3Cscript%3E", "%F0%9F%98%80", "%E2%80%AE",
            "..%2F..%2Fetc", new string('x', 3000), "%20", "%FF%FE"];
        foreach (var op in Ops())
        {
            var pathParams = op.Parameters("path").ToList();
            if (pathParams.Count == 0) continue;
            var token = await RightTokenFresh(op);
            // Another agency's resources, with this agency's reporter (and the right token for the operation).
            foreach (var t in new[] { "reporter", token }.Distinct())
            {
                await Check(op, ValidCase(op) with { Name = "other-agency-ids" }, t, Url(op, app.Other), failures); sent++;
            }
            foreach (var p in pathParams)
            {
                var name = p.GetProperty("name").GetString()!;
                var isInt = p.GetProperty("schema").TryGetProperty("type", out var ty) && ty.GetString() == "integer";
                foreach (var raw in isInt ? ints : strings)
                {
                    await Check(op, ValidCase(op) with { Name = $"path:{name}={raw[..Math.Min(raw.Length, 30)]}" }, token, Url(op, app.Own, (name, raw)), failures); sent++;
                }
            }
        }
        Report(failures, sent);
    }

    [Fact]
    public async Task Every_query_parameter_with_hostile_values()
    {
        var failures = new List<string>();
        var sent = 0;
        string[] values = ["", "abc", "-1", "0", "2147483647", "1000000000", "2147483648", "-2147483649", "99999999999999999999", "1e309", "NaN", "Infinity", "1.5", "true",
            "0001-01-01", "9999-12-31", "10000-01-01", "2025-02-30", "-2025-01-01", "2025-06-30T00:00:00Z",
            "%00", "a%00b", "%27%3B%20DROP%20TABLE%20%22Reports%22%3B--", "%27%20OR%20%271%27%3D%271", "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "%E2%80%AEevil", "%F0%9F%93%88", "%E8%B4%B5%E5%B7%9EGuizhou", "%25", "%5C", "_%25_", "%FF%FE", new string('x', 5000)];
        foreach (var op in Ops())
        {
            var queryParams = op.Parameters("query").Select(p => p.GetProperty("name").GetString()!).ToList();
            if (queryParams.Count == 0) continue;
            var token = await RightTokenFresh(op);
            foreach (var q in queryParams)
            {
                foreach (var v in values)
                {
                    await Check(op, ValidCase(op) with { Name = $"query:{q}={v[..Math.Min(v.Length, 30)]}" }, token, Url(op, app.Own, query: $"{q}={v}"), failures); sent++;
                }
                await Check(op, ValidCase(op) with { Name = $"query:{q} twice" }, token, Url(op, app.Own, query: $"{q}=1&{q}=2"), failures); sent++;
            }
        }
        Report(failures, sent);
    }

    [Fact]
    public async Task Every_write_with_hostile_bodies_and_headers()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var op in Ops().Where(o => o.JsonSchemaRef is not null))
        {
            var token = await RightTokenFresh(op);
            foreach (var c in BodyCases(op).Concat(HeaderCases(op, app.Own["reportId"])))
            {
                await Check(op, c, token, Url(op, app.Own), failures); sent++;
            }
        }
        Report(failures, sent);
    }

    [Fact]
    public async Task Undocumented_methods_and_unknown_paths_get_problem_details()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var group in Ops().GroupBy(o => o.Template))
        {
            var documented = group.Select(o => o.Method).ToHashSet();
            foreach (var method in new[] { "GET", "POST", "PUT", "PATCH", "DELETE" }.Where(m => !documented.Contains(m)))
            {
                var op = new Op(method, group.Key, group.First().Spec);
                await Check(op, new Case("undocumented-method", Utf8("{}"), Expect: 405), "admin", Url(op, app.Own), failures); sent++;
            }
        }
        foreach (var path in new[] { "/api/nope", "/api/reports", "/api/plans/guizhou-2025/tasks/1/extra", "/api/%E2%80%AE", "/api/reports/1/review/x" })
        {
            var op = new Op("GET", path, default);
            await Check(op, new Case("unknown-path", Expect: 404), "office", path, failures); sent++;
        }
        Report(failures, sent);
    }

    [Fact]
    public async Task Bulk_upload_with_hostile_files()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var op in Ops().Where(o => o.IsBulk))
        {
            var token = await RightTokenFresh(op);
            foreach (var c in BulkCases())
            {
                await Check(op, c, token, Url(op, app.Own), failures); sent++;
            }
        }
        Assert.True(sent > 0, "no bulk operation in the document");
        Report(failures, sent);
    }
}
