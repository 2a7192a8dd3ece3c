using TaskTracker.Domain;

using TaskTracker.Features.Access;

namespace TaskTracker.Cli;

/// <summary>
/// `tokens create|list|revoke` run by the service binary itself, against the configured database, so issuing the
/// first admin token needs no running server and no bootstrap secret.
/// </summary>
internal static class TokenCommands
{
    public const string Usage = """
        usage:
          tokens create --role <reporter|office|viewer|admin> [--agency <code>] [--name <text>] [--expires <yyyy-mm-dd>]
          tokens list
          tokens revoke <id|prefix>
        """;

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        using var scope = services.CreateScope();
        var tokens = scope.ServiceProvider.GetRequiredService<TokenService>();
        try
        {
            switch (args.ElementAtOrDefault(1))
            {
                case "create":
                {
                    var opts = Options(args.Skip(2).ToArray());
                    if (!opts.TryGetValue("role", out var roleText) || !Enum.TryParse<Role>(roleText, true, out var role) || !Enum.IsDefined(role))
                    {
                        await error.WriteLineAsync("--role is required: reporter, office, viewer or admin\n" + Usage);
                        return 2;
                    }
                    DateOnly? expires = null;
                    if (opts.TryGetValue("expires", out var e))
                    {
                        if (!DateOnly.TryParseExact(e, "yyyy-MM-dd", out var d)) { await error.WriteLineAsync("--expires must be yyyy-mm-dd"); return 2; }
                        expires = d;
                    }
                    var created = await tokens.CreateAsync(role, opts.GetValueOrDefault("agency"), opts.GetValueOrDefault("name"), expires, null, CancellationToken.None);
                    await output.WriteLineAsync($"Created token {created.Info.Id} ({created.Info.Name}, role {role.ToString().ToLowerInvariant()}" +
                                                $"{(created.Info.Agency is null ? "" : ", agency " + created.Info.Agency)}" +
                                                $"{(created.Info.ExpiresAtUtc is null ? "" : $", expires {created.Info.ExpiresAtUtc:yyyy-MM-dd HH:mm} UTC")}). It is shown only once:");
                    await output.WriteLineAsync(created.Token);
                    return 0;
                }
                case "list":
                    foreach (var t in await tokens.ListAsync(CancellationToken.None))
                        await output.WriteLineAsync($"{t.Id}\t{t.Prefix}…\t{t.Role.ToString().ToLowerInvariant()}\t{t.Agency ?? "-"}\t{(t.Active ? "active" : t.RevokedAtUtc is null ? "expired" : "revoked")}\t{t.Name}");
                    return 0;
                case "revoke" when args.Length >= 3:
                    var revoked = await tokens.RevokeAsync(args[2], null, CancellationToken.None);
                    await output.WriteLineAsync($"Revoked token {revoked.Id} ({revoked.Name}).");
                    return 0;
                default:
                    await error.WriteLineAsync(Usage);
                    return 2;
            }
        }
        catch (FluentValidation.ValidationException v)
        {
            foreach (var f in v.Errors) await error.WriteLineAsync($"--{f.PropertyName}: {f.ErrorMessage}");
            return 2;
        }
        catch (NotFoundException nf)
        {
            await error.WriteLineAsync(nf.Message);
            return 1;
        }
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) continue;
            var name = args[i][2..];
            var eq = name.IndexOf('=');
            if (eq > 0) result[name[..eq]] = name[(eq + 1)..];
            else if (i + 1 < args.Length) result[name] = args[++i];
        }
        return result;
    }
}
