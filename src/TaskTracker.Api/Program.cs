using TaskTracker.Cli;
using TaskTracker.Common.Security;
using TaskTracker.Features.Access;
using TaskTracker.Features.Agencies;
using TaskTracker.Features.Audit;
using TaskTracker.Features.Dashboards;
using TaskTracker.Features.Evidence;
using TaskTracker.Features.Notifications;
using TaskTracker.Features.Operations;
using TaskTracker.Features.Oversight;
using TaskTracker.Features.Plans;
using TaskTracker.Features.Progress;
using TaskTracker.Features.Reach;
using TaskTracker.Features.Bulletin;
using TaskTracker.Features.Seeding;

// The house (docs/adr/0007-module-layout.md): Common for what every module uses, Domain for the model and its rules,
// Standing for a plan's figures as of a date, one module per folder under Features/, the command-line tool in Cli/.

// The dashboard page ships next to the binary too, so `dotnet TaskTracker.Api.dll` serves it from any working directory.
var shippedWebRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    WebRootPath = !Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "wwwroot")) && Directory.Exists(shippedWebRoot) ? shippedWebRoot : null,
});
var isCommand = CommandLine.IsCommand(args);
if (isCommand) CommandLine.QuietLogs(builder);

builder.AddCommon();
builder.AddSecurity();
builder.Services.AddTaskTrackerDatabase(builder.Configuration);
builder.Services.AddMediator(o =>
{
    o.ServiceLifetime = ServiceLifetime.Scoped;
    // Authorisation first, so a caller learns nothing about a measure it may not touch from validation messages.
    o.PipelineBehaviors = [typeof(MeasureAuthorizationBehavior<,>), typeof(ValidationBehavior<,>)];
});
builder.AddStanding();
builder.AddOperations();
builder.AddAccess();
builder.AddPlans();
builder.AddAgencies();
builder.AddProgress();
builder.AddDashboards();
builder.AddOversight();
builder.AddNotifications();
builder.AddReach();
builder.AddBulletin();
builder.AddAudit();
builder.AddSeeding();
builder.AddEvidence();

var app = builder.Build();

if (isCommand) return await CommandLine.RunAsync(app, args, Console.Out, Console.Error);

app.UseSecurityHeaders(); // before the error handler, so errors carry them too
app.UseCommonErrors();
app.UseTaskTrackerEdge(); // forwarded headers from trusted proxies, authentication, one rate limit, /metrics and /swagger gates
app.UseSwaggerWhenEnabled();
app.UseOperations();
app.UseDashboardPage();
app.UseIdempotencyBuffering();
app.UseCsrfProtection(); // after authentication (in the edge), before authorisation
app.UseAuthorization();

var api = app.MapGroup("");
api.MapPlans();
api.MapAgencies();
api.MapProgress();
api.MapDashboards();
api.MapOversight();
api.MapAudit();
api.MapNotifications();
api.MapReach();
api.MapBulletin();
api.MapAccess();
api.MapSeeding();
api.MapEvidence();

await app.InitialiseAsync();
await app.RunAsync();
return 0;
