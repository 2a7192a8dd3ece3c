using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TaskTracker.Data;
using TaskTracker.Features.Access;
using TaskTracker.Features.Agencies;
using TaskTracker.Features.Audit;
using TaskTracker.Features.Dashboards;
using TaskTracker.Features.Notifications;
using TaskTracker.Features.Operations;
using TaskTracker.Features.Progress;
using TaskTracker.Features.Plans;
using TaskTracker.Features.Seeding;
using TaskTracker.Infrastructure;

// The dashboard page ships next to the binary too, so `dotnet TaskTracker.Api.dll` serves it from any working directory.
var shippedWebRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    WebRootPath = !Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "wwwroot")) && Directory.Exists(shippedWebRoot) ? shippedWebRoot : null,
});
var isCommand = args.FirstOrDefault() is "tokens" or "data" or "backup";
if (isCommand)
{
    // Logs go to stderr so that stdout carries only the command's own output, the token last.
    builder.Logging.ClearProviders();
    builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
}

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddTaskTrackerDatabase(builder.Configuration);
builder.AddOperations();
builder.Services.AddMediator(o =>
{
    o.ServiceLifetime = ServiceLifetime.Scoped;
    // Authorisation first, so a caller learns nothing about a measure it may not touch from validation messages.
    o.PipelineBehaviors = [typeof(MeasureAuthorizationBehavior<,>), typeof(ValidationBehavior<,>)];
});
builder.Services.AddTaskTrackerAccess(builder.Configuration);
builder.Services.AddTaskTrackerSignIn(builder.Configuration);
builder.Services.AddScoped<MeasureContext>();
builder.Services.AddScoped<IdempotencyContext>();
builder.Services.AddScoped<IdempotencyRecorder>();
builder.Services.AddScoped<DashboardCalculator>();
builder.Services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.Section))
    .ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<DashboardResponseCache>();
builder.Services.AddScoped<TaskTracker.Features.Oversight.OversightService>();
builder.Services.AddOptions<TaskTracker.Features.Oversight.OversightOptions>()
    .Bind(builder.Configuration.GetSection(TaskTracker.Features.Oversight.OversightOptions.Section))
    .ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddNotifications(builder.Configuration);
TaskTracker.Features.Evidence.EvidenceEndpoints.AddEvidence(builder.Services, builder.Configuration);
builder.Services.AddValidatorsFromAssemblyContaining<Program>(includeInternalTypes: true);
builder.Services.AddScoped<SeedLoader>();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // binding errors reach the problem-details mapper
builder.Services.Configure<JsonOptions>(o =>
{
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
    o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
});
builder.Services.AddEndpointsApiExplorer();
builder.Services.AddSwaggerGen(o =>
{
    o.SupportNonNullableReferenceTypes();
    o.SwaggerDoc("v1", new() { Title = "TaskTracker API", Version = "v1",
        Description = "Tracks the execution of government work plans: tasks, targets, milestones, responsible agencies and progress." });
    o.AddSecurityDefinition("Bearer", new Microsoft.OpenApi.OpenApiSecurityScheme
    {
        Type = Microsoft.OpenApi.SecuritySchemeType.Http, Scheme = "bearer",
        Description = "API token from `tokens create` (shown once).",
    });
    o.AddSecurityRequirement(doc => new Microsoft.OpenApi.OpenApiSecurityRequirement
    {
        [new Microsoft.OpenApi.OpenApiSecuritySchemeReference("Bearer", doc)] = [],
    });
});

var app = builder.Build();

if (isCommand)
{
    if (args[0] != "tokens") return await DataCommands.RunAsync(app.Services, args, Console.Out, Console.Error);
    await InitialiseAsync(app);
    return await TokenCommands.RunAsync(app.Services, args, Console.Out, Console.Error);
}

app.UseExceptionHandler();
app.UseStatusCodePages();
if (app.Services.GetRequiredService<IOptions<OperationsOptions>>().Value.SwaggerEnabled)
{
    app.UseSwagger();
    app.UseSwaggerUI(o => o.RoutePrefix = "swagger");
}
app.UseOperations();
// The dashboard page at / needs no token itself; the API calls it makes are authorised like any other client's.
app.UseDefaultFiles();
app.UseStaticFiles(new StaticFileOptions
{
    OnPrepareResponse = ctx =>
    {
        var h = ctx.Context.Response.Headers;
        h.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h["Referrer-Policy"] = "no-referrer";
    },
});
app.UseIdempotencyBuffering();
app.UseAuthentication();
app.UseCsrfProtection();
app.UseAuthorization();

var api = app.MapGroup("").RequireRateLimiting(OperationsSetup.RateLimitPolicy);
api.MapGroup("").RequireAuthorization(Policies.Read).MapPlans().MapAgencies();
api.MapProgress();
TaskTracker.Features.Progress.ReviewQueueEndpoints.MapReviewQueue(api);
api.MapBulkReports();
api.MapDashboards();
TaskTracker.Features.Oversight.OversightEndpoints.MapOversight(api);
api.MapAudit();
api.MapNotifications();
api.MapTokens();
api.MapSignIn();
TaskTracker.Features.Evidence.EvidenceEndpoints.MapEvidence(api);

await InitialiseAsync(app);
await app.RunAsync();
return 0;

static async Task InitialiseAsync(WebApplication app)
{
    using var scope = app.Services.CreateScope();
    var sp = scope.ServiceProvider;
    var opts = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
    var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Startup");
    var db = sp.GetRequiredService<TaskTrackerDb>();
    await DatabaseSetup.InitialiseAsync(db, opts, logger, CancellationToken.None);
    var seedPath = SeedLoader.ResolveSeedPath(opts.SeedPath, app.Environment.ContentRootPath);
    if (seedPath is null) return;
    // Several instances may start together against one database; the loser of a seeding race finds the plan loaded.
    for (var attempt = 1; ; attempt++)
    {
        try
        {
            using var seedScope = app.Services.CreateScope();
            await seedScope.ServiceProvider.GetRequiredService<SeedLoader>().LoadAllAsync(seedPath, CancellationToken.None);
            return;
        }
        catch (Microsoft.EntityFrameworkCore.DbUpdateException e) when (attempt < 5)
        {
            logger.LogWarning(e, "Seeding collided with another instance (attempt {Attempt}); retrying", attempt);
            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
        }
    }
}
