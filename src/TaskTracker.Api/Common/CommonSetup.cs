using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.Http.Json;

namespace TaskTracker.Common;

/// <summary>
/// The one read of the system clock. Everything else receives the registered <see cref="TimeProvider"/> (which tests
/// replace); <see cref="System"/> itself is used directly only where the browser judges time against the real wall clock
/// (the sign-in session and OpenID Connect correlation cookies), so a test clock must never set those expiries.
/// </summary>
internal static class WallClock
{
    public static readonly TimeProvider System = TimeProvider.System;
}

/// <summary>What every module relies on: the clock, problem details, JSON naming, idempotency, response caching, OpenAPI.</summary>
internal static class CommonSetup
{
    public static WebApplicationBuilder AddCommon(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // The one clock: nothing else reads system time (the architecture tests check).
        services.AddSingleton(WallClock.System);
        services.AddScoped<IdempotencyContext>();
        services.AddScoped<IdempotencyRecorder>();
        services.AddScoped<WriteStep>();
        services.AddSingleton(typeof(ReferenceCache<,>));
        services.AddSingleton<GroupCommitter>();
        services.AddHostedService(sp => sp.GetRequiredService<GroupCommitter>());
        services.AddDeliverySettings(builder.Configuration);
        services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(DashboardOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DashboardResponseCache>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // binding errors reach the problem-details mapper
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
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
        return builder;
    }

    /// <summary>The FluentValidation validators declared in a module's namespace (the module registers its own).</summary>
    public static IServiceCollection AddModuleValidators(this IServiceCollection services, Type module) =>
        services.AddValidatorsFromAssembly(module.Assembly, ServiceLifetime.Scoped,
            r => r.ValidatorType.Namespace == module.Namespace, includeInternalTypes: true);

    /// <summary>Problem details for every error the pipeline raises.</summary>
    public static WebApplication UseCommonErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>The OpenAPI document and Swagger UI, unless Operations:SwaggerEnabled or Security:Swagger turns them off.</summary>
    public static WebApplication UseSwaggerWhenEnabled(this WebApplication app)
    {
        if (Security.Edge.SwaggerServed(app))
        {
            app.UseSwagger();
            app.UseSwaggerUI(o => o.RoutePrefix = "swagger");
        }
        return app;
    }
}
