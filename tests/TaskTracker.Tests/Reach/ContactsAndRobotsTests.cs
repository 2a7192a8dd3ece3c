using System.Net;
using System.Net.Http.Json;
using TaskTracker.Domain;
using TaskTracker.Features.Audit;
using TaskTracker.Features.Plans;
using TaskTracker.Features.Reach;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Reach;

/// <summary>Contacts and chat robots over HTTP: office/admin only, validated field by field, audited, secrets shown once.</summary>
public class ContactsAndRobotsTests : IAsyncLifetime
{
    private readonly TaskTrackerApp _app = new();
    public Task InitializeAsync() => _app.InitializeAsync();
    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    private async Task<HttpClient> As(Role role, string? agency = null) => _app.ClientWith(await _app.TokenAsync(role, agency));

    [Fact]
    public async Task Contacts_are_added_listed_and_removed_by_the_office_and_audited()
    {
        var office = await As(Role.Office);
        var created = await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts",
            new { name = "王五", email = "wangwu@example.gov.cn", phone = "+86 851-8888 0000" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var c = await created.ReadJson<ContactDto>();
        Assert.Equal(("demo-bureau", "王五", "wangwu@example.gov.cn", "zh"), (c.Agency, c.Name, c.Email, c.Language));
        Assert.Equal($"/api/agencies/demo-bureau/contacts/{c.Id}", created.Headers.Location!.OriginalString);

        var admin = await As(Role.Admin);
        var en = await (await admin.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "Li Si", email = "lisi@example.org", language = "en" }))
            .ReadJson<ContactDto>();
        Assert.Equal("en", en.Language);
        await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "又一个", email = "wangwu@example.gov.cn" })).ReadProblem(409);

        var list = await (await office.GetAsync("/api/agencies/demo-bureau/contacts")).ReadJson<List<ContactDto>>();
        Assert.Equal([c.Id, en.Id], list.Select(x => x.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await office.DeleteAsync($"/api/agencies/demo-bureau/contacts/{c.Id}")).StatusCode);
        await (await office.DeleteAsync($"/api/agencies/demo-bureau/contacts/{c.Id}")).ReadProblem(404);
        await (await office.DeleteAsync($"/api/agencies/demo-west/contacts/{en.Id}")).ReadProblem(404); // another agency's contact
        Assert.Equal([en.Id], (await (await office.GetAsync("/api/agencies/demo-bureau/contacts")).ReadJson<List<ContactDto>>()).Select(x => x.Id));

        var audit = await (await office.GetAsync("/api/audit?entityType=agency-contact")).ReadJson<Paged<AuditDto>>();
        Assert.Equal(["reach.contact.added", "reach.contact.added", "reach.contact.removed"], audit.Items.Select(a => a.Action).Order());
        Assert.Contains(audit.Items, a => a.Action == "reach.contact.added" && a.Details!.Contains("wangwu@example.gov.cn") && a.Actor is not null);
    }

    [Fact]
    public async Task The_same_contact_added_several_times_at_once_is_added_once_and_the_others_get_409()
    {
        var office = await As(Role.Office);
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "王五", email = "same@example.gov.cn" }))));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        foreach (var a in answers.Where(a => a.StatusCode != HttpStatusCode.Created)) await a.ReadProblem(409);
        Assert.Single(await (await office.GetAsync("/api/agencies/demo-bureau/contacts")).ReadJson<List<ContactDto>>());
        var audit = await (await office.GetAsync("/api/audit?entityType=agency-contact")).ReadJson<Paged<AuditDto>>();
        Assert.Equal(["reach.contact.added"], audit.Items.Select(a => a.Action));
    }

    [Fact]
    public async Task Bad_contacts_get_problems_naming_the_field_and_only_office_or_admin_may_manage()
    {
        var office = await As(Role.Office);
        (await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "", email = "not-an-address", phone = "call me", language = "fr" }))
            .ReadProblem(400)).Also(p =>
        {
            p.AssertFieldError("name");
            p.AssertFieldError("email");
            p.AssertFieldError("phone");
            p.AssertFieldError("language");
        });
        (await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "x" })).ReadProblem(400)).AssertFieldError("email");
        (await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "x", email = "a@b.cn", extra = 1 })).ReadProblem(400)).AssertFieldError("$.extra");
        (await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "x", email = "a b@c.cn" })).ReadProblem(400)).AssertFieldError("email");
        (await (await office.PostAsJsonAsync("/api/agencies/demo%01x/contacts", new { name = "x", email = "a@b.cn" })).ReadProblem(400)).AssertFieldError("code");
        await (await office.PostAsJsonAsync("/api/agencies/no-such-agency/contacts", new { name = "x", email = "a@b.cn" })).ReadProblem(404);

        var reporter = await As(Role.Reporter, "demo-bureau");
        await (await reporter.PostAsJsonAsync("/api/agencies/demo-bureau/contacts", new { name = "x", email = "a@b.cn" })).ReadProblem(403);
        await (await reporter.GetAsync("/api/agencies/demo-bureau/contacts")).ReadProblem(403);
        await (await (await As(Role.Viewer)).GetAsync("/api/agencies/demo-bureau/robots")).ReadProblem(403);
        await (await _app.CreateClient().GetAsync("/api/agencies/demo-bureau/contacts")).ReadProblem(401);
    }

    [Fact]
    public async Task Robots_show_their_address_and_secret_once_and_never_in_lists_or_audit()
    {
        var office = await As(Role.Office);
        const string url = "https://oapi.dingtalk.com/robot/send?access_token=abc123secrettoken";
        var created = await office.PostAsJsonAsync("/api/agencies/demo-bureau/robots",
            new { platform = "dingtalk", url, secret = "SECdeadbeef", name = "督查群" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var robot = await created.ReadJson<RobotCreatedDto>();
        Assert.Equal(("dingtalk", url, "SECdeadbeef"), (robot.Platform, robot.Url, robot.Secret));
        var wecom = await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/robots",
            new { platform = "wecom", url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx" })).ReadJson<RobotCreatedDto>();
        Assert.Null(wecom.Secret);

        var listed = await (await office.GetAsync("/api/agencies/demo-bureau/robots")).ReadJson<List<RobotDto>>();
        Assert.Equal(["https://oapi.dingtalk.com/robot/send?access_token=****", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****"],
            listed.Select(r => r.Url));
        Assert.Equal([true, false], listed.Select(r => r.Signed));
        var raw = await (await office.GetAsync("/api/agencies/demo-bureau/robots")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("SECdeadbeef", raw);
        Assert.DoesNotContain("abc123secrettoken", raw);
        var audit = await (await office.GetAsync("/api/audit?entityType=chat-robot")).Content.ReadAsStringAsync();
        Assert.Contains("reach.robot.added", audit);
        Assert.DoesNotContain("SECdeadbeef", audit);
        Assert.DoesNotContain("abc123secrettoken", audit);
        Assert.DoesNotContain("693a91f6", audit);

        Assert.Equal(HttpStatusCode.NoContent, (await office.DeleteAsync($"/api/agencies/demo-bureau/robots/{robot.Id}")).StatusCode);
        Assert.Single(await (await office.GetAsync("/api/agencies/demo-bureau/robots")).ReadJson<List<RobotDto>>());
    }

    [Fact]
    public async Task Bad_robots_get_problems_naming_the_field()
    {
        var office = await As(Role.Office);
        async Task Bad(object body, string field) =>
            (await (await office.PostAsJsonAsync("/api/agencies/demo-bureau/robots", body)).ReadProblem(400)).AssertFieldError(field);
        await Bad(new { platform = "slack", url = "https://x.example/hook" }, "platform");
        await Bad(new { platform = "dingtalk", url = "ftp://x.example/robot/send?access_token=1", secret = "S" }, "url");
        await Bad(new { platform = "dingtalk", url = "https://oapi.dingtalk.com/robot/send", secret = "S" }, "url");
        await Bad(new { platform = "dingtalk", url = "https://oapi.dingtalk.com/robot/send?access_token=1" }, "secret");
        await Bad(new { platform = "wecom", url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", secret = "S" }, "secret");
        await Bad(new { platform = "wecom", url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send" }, "url");
        await Bad(new { platform = "wecom" }, "url");
        await Bad(new { platform = "dingtalk", url = "https://u:p@oapi.dingtalk.com/robot/send?access_token=1", secret = "S" }, "url");
    }
}

internal static class ProblemExtensions
{
    public static void Also(this System.Text.Json.JsonElement e, Action<System.Text.Json.JsonElement> check) => check(e);
}
