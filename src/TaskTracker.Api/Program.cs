using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TaskTracker.Data;
using TaskTracker.Features.Agencies;
using TaskTracker.Features.Plans;
using TaskTracker.Features.Seeding;
using TaskTracker.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddTaskTrackerDatabase(builder.Configuration);
builder.Services.AddMediator(o =>
{
    o.ServiceLifetime = ServiceLifetime.Scoped;
    o.PipelineBehaviors = [typeof(ValidationBehavior<,>)];
});
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
});

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSwagger();
app.UseSwaggerUI(o => o.RoutePrefix = "swagger");

app.MapPlans();
app.MapAgencies();

await InitialiseAsync(app);
app.Run();

static async Task InitialiseAsync(WebApplication app)
{
    using var scope = app.Services.CreateScope();
    var sp = scope.ServiceProvider;
    var opts = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
    var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Startup");
    var db = sp.GetRequiredService<TaskTrackerDb>();
    await DatabaseSetup.InitialiseAsync(db, opts, logger, CancellationToken.None);
    var seedPath = SeedLoader.ResolveSeedPath(opts.SeedPath, app.Environment.ContentRootPath);
    if (seedPath is not null)
        await sp.GetRequiredService<SeedLoader>().LoadAllAsync(seedPath, CancellationToken.None);
}
