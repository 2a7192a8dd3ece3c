using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TaskTracker.Features.Access;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.SignIn;

/// <summary>
/// The same person's first sign-in from two tabs or two instances at once: one person row, no failure, on both providers.
/// The provider's answer is handed to the service's own sign-in step (what the OpenID Connect callback does), so the
/// race can be set up exactly; the browser flow itself is covered by <see cref="SignInTests"/>.
/// </summary>
public class ConcurrentFirstSignInTests : IAsyncLifetime
{
    private const string Issuer = "https://id.example.gov.cn/";
    private readonly TaskTrackerApp _app = new();

    public Task InitializeAsync()
    {
        // A provider is configured (never contacted: nothing here challenges), and the office group maps to the office role.
        _app.Settings["SignIn:Authority"] = "http://127.0.0.1:9/";
        _app.Settings["SignIn:ClientId"] = "tt";
        _app.Settings["SignIn:RequireHttpsMetadata"] = "false";
        _app.Settings["SignIn:Mappings:0:Claim"] = "groups";
        _app.Settings["SignIn:Mappings:0:Value"] = "tt-office";
        _app.Settings["SignIn:Mappings:0:Role"] = "office";
        return _app.InitializeAsync();
    }

    public async Task DisposeAsync() => await ((IAsyncLifetime)_app).DisposeAsync();

    private static ClaimsPrincipal FromProvider(string sub, string name) => new(new ClaimsIdentity(
    [
        new Claim("sub", sub, ClaimValueTypes.String, Issuer),
        new Claim("name", name, ClaimValueTypes.String, Issuer),
        new Claim("groups", "tt-office", ClaimValueTypes.String, Issuer),
    ], "oidc"));

    private async Task<SignInOutcome> SignInAsync(ClaimsPrincipal who)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PersonDirectory>().SignInAsync(who, CancellationToken.None);
    }

    private static int TokenId(SignInOutcome o)
    {
        Assert.Null(o.Refusal);
        Assert.NotNull(o.Principal);
        return int.Parse(o.Principal!.FindFirst(Common.Claims.TokenId)!.Value);
    }

    [Fact]
    public async Task A_first_sign_in_that_loses_the_race_for_the_person_row_uses_the_row_the_other_wrote()
    {
        var subject = Issuer + "|qian";
        // The other request: its person row is written but not yet committed while this sign-in runs.
        await using var otherScope = _app.Services.CreateAsyncScope();
        var other = otherScope.ServiceProvider.GetRequiredService<Data.TaskTrackerDb>();
        await using var otherTx = await other.Database.BeginTransactionAsync();
        var row = new Domain.ApiToken
        {
            Name = "钱八", Prefix = "person", Hash = new string('0', 64), Role = Domain.Role.Office, CreatedAtUtc = _app.Clock.GetUtcNow().UtcDateTime, Subject = subject,
        };
        other.Tokens.Add(row);
        await other.SaveChangesAsync();

        // On a thread of its own: SQLite waits for a lock inside the call, synchronously.
        var signIn = Task.Run(() => SignInAsync(FromProvider("qian", "钱八")));
        if (_app.IsPostgres)
        {
            // PostgreSQL: this sign-in found no row, inserted its own and now waits on the unique index for the other transaction.
            var waiting = 0L;
            for (var i = 0; i < 600 && waiting == 0 && !signIn.IsCompleted; i++)
            {
                await Task.Delay(100);
                waiting = await other.Database.SqlQueryRaw<long>(
                    "SELECT count(*) AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync();
            }
            Assert.Equal(1, waiting);
        }
        else
        {
            // SQLite: the other transaction holds the write lock, so this sign-in cannot have finished.
            await Task.WhenAny(signIn, Task.Delay(500));
        }
        Assert.False(signIn.IsCompleted);
        await otherTx.CommitAsync();

        var outcome = await signIn; // no exception: the unique violation was read as "the other request came first"
        Assert.Equal(row.Id, TokenId(outcome));
        await _app.WithDb(async db =>
        {
            Assert.Equal(1, await db.Tokens.CountAsync(t => t.Subject == subject));
            var audit = await db.Audit.Where(a => a.EntityType == "token" && a.EntityId == row.Id.ToString()).Select(a => a.Action).ToListAsync();
            Assert.Equal(["person.signed-in"], audit);
            return 0;
        });
    }

    [Fact]
    public async Task Many_first_sign_ins_of_one_person_at_once_make_one_row_and_all_succeed()
    {
        var subject = Issuer + "|zhou";
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => SignInAsync(FromProvider("zhou", "周九")))));
        var ids = outcomes.Select(TokenId).Distinct().ToList();
        var id = Assert.Single(ids);
        await _app.WithDb(async db =>
        {
            Assert.Equal(1, await db.Tokens.CountAsync(t => t.Subject == subject));
            var audit = await db.Audit.Where(a => a.EntityType == "token" && a.EntityId == id.ToString()).Select(a => a.Action).ToListAsync();
            Assert.Equal(6, audit.Count);
            Assert.Single(audit, a => a == "person.first-sign-in");
            return 0;
        });
    }
}
