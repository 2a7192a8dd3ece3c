using System.Text.RegularExpressions;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using TaskTracker.Common.Security;


namespace TaskTracker.Features.Reach;

internal sealed record AddContactBody(string? Name, string? Email, string? Phone, string? Language);
internal sealed record ContactDto(int Id, string Agency, string Name, string Email, string? Phone, string Language, DateTime CreatedAtUtc);

internal sealed record AddRobotBody(string? Platform, string? Url, string? Secret, string? Name);
/// <summary>A robot as listed: its address with the credentials in it masked, never its secret.</summary>
internal sealed record RobotDto(int Id, string Agency, string Platform, string Url, bool Signed, string? Name, DateTime CreatedAtUtc);
/// <summary>The registration answer: the only time the full address and the secret are shown.</summary>
internal sealed record RobotCreatedDto(int Id, string Agency, string Platform, string Url, string? Secret, string? Name, DateTime CreatedAtUtc);

internal sealed record RemindBody(string? Note);
internal sealed record ReachDeliveryDto(long Id, long EventId, string EventType, string Agency, string Channel, string Recipient, string Language,
    string Subject, DeliveryState State, int Attempts, DateTime? NextAttemptAtUtc, string? LastError, DateTime? DeliveredAtUtc, DateTime CreatedAtUtc);
internal sealed record ReminderDto(int InstructionId, long EventId, IReadOnlyList<ReachDeliveryDto> Deliveries);
internal sealed record DigestRunDto(DateOnly AsOf, int Agencies, int Written, int AlreadySent, int NothingToReport, int Messages, IReadOnlyList<ReachDeliveryDto> Deliveries);

internal sealed record AddContactCommand(string Agency, AddContactBody Body) : ICommand<ContactDto>;
internal sealed record ListContactsQuery(string Agency) : IQuery<IReadOnlyList<ContactDto>>;
internal sealed record DeleteContactCommand(string Agency, int Id) : ICommand<bool>;
internal sealed record AddRobotCommand(string Agency, AddRobotBody Body) : ICommand<RobotCreatedDto>;
internal sealed record ListRobotsQuery(string Agency) : IQuery<IReadOnlyList<RobotDto>>;
internal sealed record DeleteRobotCommand(string Agency, int Id) : ICommand<bool>;
internal sealed record RemindCommand(int InstructionId, RemindBody? Body) : ICommand<ReminderDto>;
internal sealed record RunDigestCommand(DateOnly? AsOf) : ICommand<DigestRunDto>;
internal sealed record ListReachDeliveriesQuery(string? State, string? Agency, int Page = 1, int PageSize = 100) : IQuery<Paged<ReachDeliveryDto>>;
internal sealed record RedriveReachDeliveryCommand(long Id) : ICommand<ReachDeliveryDto>;

internal static partial class ReachRules
{
    public static void AgencyCode<T>(AbstractValidator<T> v, System.Linq.Expressions.Expression<Func<T, string>> agency) =>
        v.RuleFor(agency).Must(c => c.Length <= 64 && Text.BeCleanText(c)).OverridePropertyName("code")
            .WithMessage("code must be an agency code without control characters.");

    public static bool BeEmail(string e) =>
        e.Length <= 254 && !e.Any(char.IsWhiteSpace) && MimeKit.MailboxAddress.TryParse(e, out var m) && m.Address == e && e.IndexOf('@') is > 0 and var at && at < e.Length - 1;

    [GeneratedRegex(@"^\+?[0-9][0-9 \-]{4,30}$")]
    public static partial Regex Phone();

    public static bool SingleLine(string s) => Text.BeCleanText(s) && !s.Contains('\n') && !s.Contains('\r') && s.Trim().Length > 0;
}

internal sealed class AddContactValidator : AbstractValidator<AddContactCommand>
{
    public AddContactValidator()
    {
        ReachRules.AgencyCode(this, x => x.Agency);
        RuleFor(x => x.Body.Name).NotEmpty().MaximumLength(200).OverridePropertyName("name");
        RuleFor(x => x.Body.Name).Must(n => ReachRules.SingleLine(n!)).When(x => !string.IsNullOrEmpty(x.Body.Name)).OverridePropertyName("name")
            .WithMessage("name must be a single line of text.");
        RuleFor(x => x.Body.Email).NotEmpty().OverridePropertyName("email").WithMessage("email is required.");
        RuleFor(x => x.Body.Email).Must(e => ReachRules.BeEmail(e!)).When(x => !string.IsNullOrEmpty(x.Body.Email)).OverridePropertyName("email")
            .WithMessage("email must be one e-mail address such as name@example.gov.cn.");
        RuleFor(x => x.Body.Phone).Must(p => ReachRules.Phone().IsMatch(p!)).When(x => x.Body.Phone is not null).OverridePropertyName("phone")
            .WithMessage("phone must be digits, optionally with a leading + and spaces or dashes (5–31 characters).");
        RuleFor(x => x.Body.Language).Must(l => l is "zh" or "en").When(x => x.Body.Language is not null).OverridePropertyName("language")
            .WithMessage("language must be zh or en.");
    }
}

internal sealed class AddRobotValidator : AbstractValidator<AddRobotCommand>
{
    public AddRobotValidator()
    {
        ReachRules.AgencyCode(this, x => x.Agency);
        RuleFor(x => x.Body.Platform).NotEmpty().Must(p => p is "dingtalk" or "wecom").OverridePropertyName("platform")
            .WithMessage("platform must be dingtalk or wecom.");
        RuleFor(x => x.Body.Url).NotEmpty().OverridePropertyName("url").WithMessage("url is required: the robot's webhook address.");
        RuleFor(x => x.Body.Url)
            .Must(u => u!.Length <= 2000 && Text.BeCleanText(u) && Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.UserInfo))
            .When(x => !string.IsNullOrEmpty(x.Body.Url)).OverridePropertyName("url")
            .WithMessage("url must be an absolute http:// or https:// URL without credentials, at most 2000 characters.");
        RuleFor(x => x.Body.Url).Must(u => HasQuery(u!, "access_token")).When(x => x.Body.Platform == "dingtalk" && Uri.IsWellFormedUriString(x.Body.Url, UriKind.Absolute))
            .OverridePropertyName("url").WithMessage("a DingTalk robot's url carries its access_token (…/robot/send?access_token=…).");
        RuleFor(x => x.Body.Url).Must(u => HasQuery(u!, "key")).When(x => x.Body.Platform == "wecom" && Uri.IsWellFormedUriString(x.Body.Url, UriKind.Absolute))
            .OverridePropertyName("url").WithMessage("a WeCom robot's url carries its key (…/cgi-bin/webhook/send?key=…).");
        RuleFor(x => x.Body.Secret).NotEmpty().When(x => x.Body.Platform == "dingtalk").OverridePropertyName("secret")
            .WithMessage("secret is required for a DingTalk robot: its signing secret (加签, SEC…).");
        RuleFor(x => x.Body.Secret).Must(s => s!.Length <= 200 && ReachRules.SingleLine(s)).When(x => !string.IsNullOrEmpty(x.Body.Secret))
            .OverridePropertyName("secret").WithMessage("secret must be one line of at most 200 characters.");
        RuleFor(x => x.Body.Secret).Null().When(x => x.Body.Platform == "wecom").OverridePropertyName("secret")
            .WithMessage("a WeCom group robot has no signing secret; its key is part of the url.");
        RuleFor(x => x.Body.Name).MaximumLength(200).OverridePropertyName("name");
        RuleFor(x => x.Body.Name).Must(n => ReachRules.SingleLine(n!)).When(x => x.Body.Name is not null).OverridePropertyName("name")
            .WithMessage("name must be a single line of text.");
    }

    private static bool HasQuery(string url, string name) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Query.TrimStart('?').Split('&').Any(p => p.StartsWith(name + "=", StringComparison.Ordinal) && p.Length > name.Length + 1);
}

internal sealed class RemindValidator : AbstractValidator<RemindCommand>
{
    public RemindValidator()
    {
        RuleFor(x => x.Body!.Note).MaximumLength(1000).When(x => x.Body is not null).OverridePropertyName("note");
        RuleFor(x => x.Body!.Note).Must(n => Text.BeCleanText(n!)).When(x => x.Body?.Note is not null).OverridePropertyName("note")
            .WithMessage("note must not contain control characters.");
    }
}

internal sealed class RunDigestValidator : AbstractValidator<RunDigestCommand>
{
    public RunDigestValidator() => AsOfRule.Apply(this, x => x.AsOf);
}

internal sealed class ListReachDeliveriesValidator : AbstractValidator<ListReachDeliveriesQuery>
{
    public ListReachDeliveriesValidator()
    {
        RuleFor(x => x.State).Must(s => s is "pending" or "delivered" or "failed").When(x => x.State is not null)
            .OverridePropertyName("state").WithMessage("state must be pending, delivered or failed.");
        RuleFor(x => x.Agency).Must(c => c!.Length <= 64 && Text.BeCleanText(c)).When(x => x.Agency is not null).OverridePropertyName("agency")
            .WithMessage("agency must be an agency code without control characters.");
        RuleFor(x => x.Page).GreaterThanOrEqualTo(1).OverridePropertyName("page");
        RuleFor(x => x.PageSize).InclusiveBetween(1, 500).OverridePropertyName("pageSize");
    }
}

internal sealed class ContactValidators : AbstractValidator<ListContactsQuery>
{
    public ContactValidators() => ReachRules.AgencyCode(this, x => x.Agency);
}
internal sealed class DeleteContactValidator : AbstractValidator<DeleteContactCommand>
{
    public DeleteContactValidator() => ReachRules.AgencyCode(this, x => x.Agency);
}
internal sealed class ListRobotsValidator : AbstractValidator<ListRobotsQuery>
{
    public ListRobotsValidator() => ReachRules.AgencyCode(this, x => x.Agency);
}
internal sealed class DeleteRobotValidator : AbstractValidator<DeleteRobotCommand>
{
    public DeleteRobotValidator() => ReachRules.AgencyCode(this, x => x.Agency);
}

/// <summary>Contacts, robots, reminders and the digest run. Every change is audited; secrets never reach the audit trail.</summary>
internal sealed class ReachHandlers(TaskTrackerDb db, TimeProvider clock, ReachData data, ReachWriter writer, ReachDispatcher dispatcher, WriteStep write)
    : ICommandHandler<AddContactCommand, ContactDto>, IQueryHandler<ListContactsQuery, IReadOnlyList<ContactDto>>, ICommandHandler<DeleteContactCommand, bool>,
      ICommandHandler<AddRobotCommand, RobotCreatedDto>, IQueryHandler<ListRobotsQuery, IReadOnlyList<RobotDto>>, ICommandHandler<DeleteRobotCommand, bool>,
      ICommandHandler<RemindCommand, ReminderDto>, ICommandHandler<RunDigestCommand, DigestRunDto>,
      IQueryHandler<ListReachDeliveriesQuery, Paged<ReachDeliveryDto>>, ICommandHandler<RedriveReachDeliveryCommand, ReachDeliveryDto>
{
    private async Task<DigestAgency> AgencyAsync(string code, CancellationToken ct) =>
        await data.AgencyAsync(code, ct) ?? throw new NotFoundException("Agency", code);

    public async ValueTask<ContactDto> Handle(AddContactCommand cmd, CancellationToken ct)
    {
        var agency = await AgencyAsync(cmd.Agency, ct);
        var email = cmd.Body.Email!;
        if (await db.Set<AgencyContact>().AnyAsync(c => c.AgencyId == agency.Id && c.Email == email, ct))
            throw new ConflictException($"Agency '{agency.Code}' already has a contact with email {email}.");
        // Contacts belong to no plan: no revision bump.
        AgencyContact c;
        try
        {
            c = await write.RunAsync(null, async w =>
            {
                var added = new AgencyContact
                {
                    AgencyId = agency.Id, Name = cmd.Body.Name!.Trim(), Email = email, Phone = cmd.Body.Phone, Language = cmd.Body.Language ?? "zh", CreatedAtUtc = w.Now,
                };
                db.Add(added);
                await db.SaveChangesAsync(ct); // for the id the audit entry names
                w.Audit("reach.contact.added", "agency-contact", added.Id.ToString(), new { agency = agency.Code, added.Name, added.Email, added.Phone, added.Language });
                return added;
            }, ct);
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            // The same address added twice at once: the unique index let one in.
            db.ChangeTracker.Clear();
            throw new ConflictException($"Agency '{agency.Code}' already has a contact with email {email}.");
        }
        return Dto(c, agency.Code);
    }

    public async ValueTask<IReadOnlyList<ContactDto>> Handle(ListContactsQuery q, CancellationToken ct)
    {
        var agency = await AgencyAsync(q.Agency, ct);
        return (await db.Set<AgencyContact>().AsNoTracking().Where(c => c.AgencyId == agency.Id).OrderBy(c => c.Id).ToListAsync(ct))
            .Select(c => Dto(c, agency.Code)).ToList();
    }

    public async ValueTask<bool> Handle(DeleteContactCommand cmd, CancellationToken ct)
    {
        var agency = await AgencyAsync(cmd.Agency, ct);
        var c = await db.Set<AgencyContact>().FirstOrDefaultAsync(x => x.Id == cmd.Id && x.AgencyId == agency.Id, ct)
                ?? throw new NotFoundException("Contact", $"{agency.Code}/{cmd.Id}");
        return await write.RunAsync(null, async w =>
        {
            // Messages still waiting for this contact are not sent any more; history keeps the address it went to.
            var cancelled = await CancelPendingAsync(db.Set<ReachDelivery>().Where(d => d.ContactId == c.Id), "the contact was removed", ct);
            db.Remove(c);
            w.Audit("reach.contact.removed", "agency-contact", c.Id.ToString(), new { agency = agency.Code, c.Name, c.Email, pendingCancelled = cancelled });
            return true;
        }, ct);
    }

    public async ValueTask<RobotCreatedDto> Handle(AddRobotCommand cmd, CancellationToken ct)
    {
        var agency = await AgencyAsync(cmd.Agency, ct);
        var r = await write.RunAsync(null, async w =>
        {
            var r = new ChatRobot
            {
                AgencyId = agency.Id, Platform = cmd.Body.Platform == "dingtalk" ? RobotPlatform.DingTalk : RobotPlatform.WeCom, Url = cmd.Body.Url!,
                Secret = string.IsNullOrEmpty(cmd.Body.Secret) ? null : cmd.Body.Secret, Name = cmd.Body.Name, CreatedAtUtc = w.Now,
            };
            db.Add(r);
            await db.SaveChangesAsync(ct); // for the id the audit entry names
            // Neither the secret nor the address's token reaches the audit trail.
            w.Audit("reach.robot.added", "chat-robot", r.Id.ToString(),
                new { agency = agency.Code, platform = PlatformName(r.Platform), url = RobotSigning.Mask(r.Url), signed = r.Secret is not null, r.Name });
            return r;
        }, ct);
        return new RobotCreatedDto(r.Id, agency.Code, PlatformName(r.Platform), r.Url, r.Secret, r.Name, r.CreatedAtUtc);
    }

    public async ValueTask<IReadOnlyList<RobotDto>> Handle(ListRobotsQuery q, CancellationToken ct)
    {
        var agency = await AgencyAsync(q.Agency, ct);
        return (await db.Set<ChatRobot>().AsNoTracking().Where(r => r.AgencyId == agency.Id).OrderBy(r => r.Id).ToListAsync(ct))
            .Select(r => new RobotDto(r.Id, agency.Code, PlatformName(r.Platform), RobotSigning.Mask(r.Url), r.Secret is not null, r.Name, r.CreatedAtUtc)).ToList();
    }

    public async ValueTask<bool> Handle(DeleteRobotCommand cmd, CancellationToken ct)
    {
        var agency = await AgencyAsync(cmd.Agency, ct);
        var r = await db.Set<ChatRobot>().FirstOrDefaultAsync(x => x.Id == cmd.Id && x.AgencyId == agency.Id, ct)
                ?? throw new NotFoundException("Robot", $"{agency.Code}/{cmd.Id}");
        return await write.RunAsync(null, async w =>
        {
            var cancelled = await CancelPendingAsync(db.Set<ReachDelivery>().Where(d => d.RobotId == r.Id), "the robot was removed", ct);
            db.Remove(r);
            w.Audit("reach.robot.removed", "chat-robot", r.Id.ToString(),
                new { agency = agency.Code, platform = PlatformName(r.Platform), url = RobotSigning.Mask(r.Url), pendingCancelled = cancelled });
            return true;
        }, ct);
    }

    public async ValueTask<ReminderDto> Handle(RemindCommand cmd, CancellationToken ct)
    {
        var i = await data.InstructionAsync(cmd.InstructionId, ct) ?? throw new NotFoundException("Instruction", cmd.InstructionId.ToString());
        if (i.Status != InstructionStatus.AwaitingReply)
            throw new ConflictException($"Instruction {i.Id} is {(i.Status == InstructionStatus.Closed ? "closed" : "replied")}; only an instruction awaiting a reply can be chased.");
        var note = string.IsNullOrWhiteSpace(cmd.Body?.Note) ? null : cmd.Body!.Note!.Trim();
        var (eventId, ids) = await writer.RemindAsync(i, note, ct);
        // Sent now, in this request; whatever fails stays pending with backoff for the background loop, or fails visibly.
        await dispatcher.DrainAsync(ids, ct, maxBatches: 2);
        return new ReminderDto(i.Id, eventId, await Project(db.Set<ReachDelivery>().AsNoTracking().Where(d => d.EventId == eventId).OrderBy(d => d.Id)).ToListAsync(ct));
    }

    public async ValueTask<DigestRunDto> Handle(RunDigestCommand cmd, CancellationToken ct)
    {
        var asOf = cmd.AsOf ?? ChinaTime.Today(clock);
        var run = await writer.RunDigestAsync(asOf, ct);
        var ids = await db.Set<ReachDelivery>().Where(d => run.EventIds.Contains(d.EventId)).Select(d => d.Id).ToListAsync(ct);
        if (ids.Count > 0) await dispatcher.DrainAsync(ids, ct);
        var deliveries = await Project(db.Set<ReachDelivery>().AsNoTracking().Where(d => run.EventIds.Contains(d.EventId)).OrderBy(d => d.Id)).ToListAsync(ct);
        return new DigestRunDto(run.AsOf, run.Agencies, run.Written, run.AlreadySent, run.NothingToReport, run.Messages, deliveries);
    }

    public async ValueTask<Paged<ReachDeliveryDto>> Handle(ListReachDeliveriesQuery q, CancellationToken ct)
    {
        var query = db.Set<ReachDelivery>().AsNoTracking();
        if (q.State is { } state)
        {
            var st = Enum.Parse<DeliveryState>(state, ignoreCase: true);
            query = query.Where(d => d.State == st);
        }
        if (q.Agency is { } code)
        {
            var agency = await AgencyAsync(code, ct);
            query = query.Where(d => d.AgencyId == agency.Id);
        }
        var total = await query.CountAsync(ct);
        var items = await Project(query.OrderByDescending(d => d.Id).PageOf(q.Page, q.PageSize)).ToListAsync(ct);
        return new Paged<ReachDeliveryDto>(items, q.Page, q.PageSize, total);
    }

    public async ValueTask<ReachDeliveryDto> Handle(RedriveReachDeliveryCommand cmd, CancellationToken ct)
    {
        var d = await db.Set<ReachDelivery>().AsNoTracking().FirstOrDefaultAsync(x => x.Id == cmd.Id, ct) ?? throw new NotFoundException("Reach delivery", cmd.Id.ToString());
        if (d.State != DeliveryState.Failed)
            throw new ConflictException($"Reach delivery {d.Id} is {d.State.ToString().ToLowerInvariant()}; only failed messages can be re-driven.");
        if (d.ContactId is null && d.RobotId is null)
            throw new ConflictException($"Reach delivery {d.Id}: its contact or robot was removed; add it again and the next digest or reminder reaches it.");
        await write.RunAsync(null, async w =>
        {
            // Conditional, so two people re-driving at once reset it once.
            var changed = await db.Set<ReachDelivery>().Where(x => x.Id == d.Id && x.State == DeliveryState.Failed)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.State, DeliveryState.Pending).SetProperty(x => x.Attempts, 0).SetProperty(x => x.NextAttemptAtUtc, w.Now)
                    .SetProperty(x => x.LeaseOwner, (string?)null).SetProperty(x => x.LeaseUntilUtc, (DateTime?)null), ct);
            if (changed == 0) throw new ConflictException($"Reach delivery {d.Id} was re-driven at the same time.");
            w.Audit("reach.delivery.redriven", "reach-delivery", d.Id.ToString(), new { d.EventId, previous = new { d.Attempts, d.LastError } });
            return changed;
        }, ct);
        await dispatcher.DrainAsync([d.Id], ct, maxBatches: 1);
        return await Project(db.Set<ReachDelivery>().AsNoTracking().Where(x => x.Id == d.Id)).FirstAsync(ct);
    }

    private static Task<int> CancelPendingAsync(IQueryable<ReachDelivery> q, string reason, CancellationToken ct) =>
        q.Where(d => d.State == DeliveryState.Pending).ExecuteUpdateAsync(u => u.SetProperty(d => d.State, DeliveryState.Failed)
            .SetProperty(d => d.LastError, reason).SetProperty(d => d.LeaseOwner, (string?)null).SetProperty(d => d.LeaseUntilUtc, (DateTime?)null), ct);

    private IQueryable<ReachDeliveryDto> Project(IQueryable<ReachDelivery> q) =>
        q.Select(d => new ReachDeliveryDto(d.Id, d.EventId, d.Event.Type, db.Agencies.Where(a => a.Id == d.AgencyId).Select(a => a.Code).First(),
            d.Channel == ReachChannel.Email ? "email" : d.Channel == ReachChannel.DingTalk ? "dingtalk" : "wecom",
            d.Recipient, d.Language, d.Subject, d.State, d.Attempts, d.State == DeliveryState.Pending ? d.NextAttemptAtUtc : null, d.LastError, d.DeliveredAtUtc,
            d.Event.CreatedAtUtc));

    public static string PlatformName(RobotPlatform p) => p == RobotPlatform.DingTalk ? "dingtalk" : "wecom";

    private static ContactDto Dto(AgencyContact c, string agency) => new(c.Id, agency, c.Name, c.Email, c.Phone, c.Language, c.CreatedAtUtc);
}

internal static class ReachEndpoints
{
    public static IEndpointRouteBuilder MapEndpoints(IEndpointRouteBuilder app)
    {
        var agencies = app.MapGroup("/api/agencies/{code}").WithTags("Reach").RequireAuthorization(Policies.OfficeOrAdmin);
        agencies.MapPost("/contacts", async Task<Created<ContactDto>> (string code, AddContactBody body, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new AddContactCommand(code, body), ct);
                return TypedResults.Created($"/api/agencies/{code}/contacts/{dto.Id}", dto);
            })
            .WithName("AddAgencyContact").WithSummary("Add a person who receives the agency's daily digest and reminders by e-mail: name, email, optional phone and language (zh|en).")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        agencies.MapGet("/contacts", async Task<Ok<IReadOnlyList<ContactDto>>> (string code, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListContactsQuery(code), ct)))
            .WithName("ListAgencyContacts").WithSummary("The agency's contacts.").ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        agencies.MapDelete("/contacts/{id:int}", async Task<NoContent> (string code, int id, ISender m, CancellationToken ct) =>
            {
                await m.Send(new DeleteContactCommand(code, id), ct);
                return TypedResults.NoContent();
            })
            .WithName("DeleteAgencyContact").WithSummary("Remove a contact; messages still waiting for it are cancelled (failed), history is kept.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        agencies.MapPost("/robots", async Task<Created<RobotCreatedDto>> (string code, AddRobotBody body, ISender m, CancellationToken ct) =>
            {
                var dto = await m.Send(new AddRobotCommand(code, body), ct);
                return TypedResults.Created($"/api/agencies/{code}/robots/{dto.Id}", dto);
            })
            .WithName("AddChatRobot")
            .WithSummary("Add a group chat robot: platform dingtalk (url with access_token, secret = its 加签 secret) or wecom (url with key). The answer is the only time url and secret are shown in full.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        agencies.MapGet("/robots", async Task<Ok<IReadOnlyList<RobotDto>>> (string code, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListRobotsQuery(code), ct)))
            .WithName("ListChatRobots").WithSummary("The agency's robots, addresses masked, never their secrets.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        agencies.MapDelete("/robots/{id:int}", async Task<NoContent> (string code, int id, ISender m, CancellationToken ct) =>
            {
                await m.Send(new DeleteRobotCommand(code, id), ct);
                return TypedResults.NoContent();
            })
            .WithName("DeleteChatRobot").WithSummary("Remove a robot; messages still waiting for it are cancelled (failed).")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);

        app.MapPost("/api/instructions/{id:int}/reminders", async Task<Ok<ReminderDto>> (int id, RemindBody? body, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new RemindCommand(id, body), ct)))
            .WithTags("Reach").WithName("RemindInstruction")
            .WithSummary("催办: the office chases an instruction awaiting a reply; every contact and robot of the agency gets it at once (optional note). Audited.")
            .RequireAuthorization(Policies.Office)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        app.MapPost("/api/reminders/run", async Task<Ok<DigestRunDto>> (DateOnly? asOf, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new RunDigestCommand(asOf), ct)))
            .WithTags("Reach").WithName("RunDigest")
            .WithSummary("Write and send the daily digest for asOf (default: today, China time) now. An agency already sent that day's digest gets nothing.")
            .RequireAuthorization(Policies.Admin)
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403);
        var deliveries = app.MapGroup("/api/reach/deliveries").WithTags("Reach").RequireAuthorization(Policies.OfficeOrAdmin);
        deliveries.MapGet("", async Task<Ok<Paged<ReachDeliveryDto>>> (string? state, string? agency, int? page, int? pageSize, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new ListReachDeliveriesQuery(state, agency, page ?? 1, pageSize ?? 100), ct)))
            .WithName("ListReachDeliveries").WithSummary("Digest and reminder messages, newest first, with attempts, last error and next attempt; filter by state and agency.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404);
        deliveries.MapPost("/{id:long}/redrive", async Task<Ok<ReachDeliveryDto>> (long id, ISender m, CancellationToken ct) =>
                TypedResults.Ok(await m.Send(new RedriveReachDeliveryCommand(id), ct)))
            .WithName("RedriveReachDelivery").WithSummary("Send a failed message again (attempts reset, audited).")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return app;
    }
}
