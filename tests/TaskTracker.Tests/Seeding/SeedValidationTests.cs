using TaskTracker.Features.Seeding;
using TaskTracker.Tests.Infrastructure;

namespace TaskTracker.Tests.Seeding;

/// <summary>A malformed or inconsistent seed is rejected with the file and JSON path of each bad entry.</summary>
public class SeedValidationTests : IDisposable
{
    private readonly string _root = TestPaths.NewTempDir("seed");
    private string Plan => Path.Combine(_root, "demo-2026");

    public SeedValidationTests() => TestPaths.CopyDir(TestPaths.DemoSeed, Plan);
    public void Dispose() => TestPaths.TryDelete(_root);

    private void Edit(string file, string from, string to)
    {
        var path = Path.Combine(Plan, file);
        var text = File.ReadAllText(path);
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to));
    }

    private SeedValidationException Rejected() => Assert.Throws<SeedValidationException>(() => SeedLoader.ReadAll(_root));

    [Fact]
    public void The_demo_plan_is_valid()
    {
        var folders = SeedLoader.ReadAll(_root);
        Assert.Equal("demo-2026", Assert.Single(folders).Plan.Code);
    }

    [Fact]
    public void Malformed_json_names_the_file_and_line()
    {
        Edit("tasks.json", "\"number\": 2,", "\"number\": 2,,");
        var e = Assert.Single(Rejected().Errors);
        Assert.EndsWith("tasks.json", e.File);
        Assert.Contains("line", e.Message);
    }

    [Fact]
    public void Unknown_agency_names_the_path_of_the_entry()
    {
        Edit("tasks.json", "\"agencies\": [\"市数据局\"]", "\"agencies\": [\"不存在的局\"]");
        Edit("tasks.json", "\"responsibleText\": \"市数据局\", ", "\"responsibleText\": \"不存在的局\", ");
        var ex = Rejected();
        var e = Assert.Single(ex.Errors, e => e.Path == "$.tasks[1].clauses[0].agencies[0]");
        Assert.Contains("不存在的局", e.Message);
        Assert.Contains("tasks.json", ex.Message);
    }

    [Fact]
    public void Planned_values_are_checked_for_period_unit_and_direction()
    {
        Edit("tasks.json", "\"sourceText\": \"开放数据集累计 300 个。\" } ],",
            "\"sourceText\": \"开放数据集累计 300 个。\", \"plannedValues\": [ { \"period\": \"2026-Q1\", \"value\": 150 }, " +
            "{ \"period\": \"2025-12\", \"value\": 160 }, { \"period\": \"2026-06\", \"value\": 120 }, { \"period\": \"2026-Q3\", \"value\": 200, \"unit\": \"家\" } ] } ],");
        var errors = Rejected().Errors.Select(e => e.Path).ToList();
        Assert.Contains("$.tasks[1].targets[0].plannedValues[1].period", errors); // outside the plan year
        Assert.Contains("$.tasks[1].targets[0].plannedValues[2].value", errors);  // a stock going back from 150 to 120
        Assert.Contains("$.tasks[1].targets[0].plannedValues[3].unit", errors);
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Valid_planned_values_pass()
    {
        Edit("tasks.json", "\"sourceText\": \"开放数据集累计 300 个。\" } ],",
            "\"sourceText\": \"开放数据集累计 300 个。\", \"plannedValues\": [ { \"period\": \"2026-Q1\", \"value\": 150 }, { \"period\": \"2026-06\", \"value\": 200, \"unit\": \"个\" } ] } ],");
        Assert.Equal(2, Assert.Single(SeedLoader.ReadAll(_root)).Tasks.Tasks![1].Targets![0].PlannedValues!.Count);
    }

    [Fact]
    public void Missing_target_value_is_reported_with_its_path()
    {
        Edit("tasks.json", "\"value\": 300, ", "");
        Assert.Contains(Rejected().Errors, e => e.Path == "$.tasks[1].targets[0].value" && e.Message == "is required");
    }

    [Fact]
    public void Unknown_enum_value_is_reported_with_its_path()
    {
        Edit("tasks.json", "\"kind\": \"cumulative\"", "\"kind\": \"sometimes\"");
        var e = Assert.Single(Rejected().Errors);
        Assert.Contains("kind", e.Path);
    }

    [Fact]
    public void Misspelt_field_is_rejected_rather_than_silently_dropped()
    {
        Edit("tasks.json", "\"unit\": \"个\", \"unitEn\": \"datasets\"", "\"unit\": \"个\", \"unitEn\": \"datasets\", \"valeu\": 3");
        var e = Assert.Single(Rejected().Errors);
        Assert.Contains("valeu", e.Message + e.Path);
    }

    [Fact]
    public void Text_that_is_not_in_the_source_is_rejected()
    {
        Edit("tasks.json", "\"sourceText\": \"开放数据集累计 300 个。\" }", "\"sourceText\": \"开放数据集累计 3000 个。\" }");
        Assert.Contains(Rejected().Errors, e => e.Path == "$.tasks[1].targets[0].sourceText" && e.Message.Contains("verbatim"));
    }

    [Fact]
    public void Inconsistent_numbering_and_references_are_each_reported()
    {
        Edit("tasks.json", "\"number\": 3, \"numeral\": \"（三）\", \"section\": 2", "\"number\": 4, \"numeral\": \"（三）\", \"section\": 7");
        Edit("tasks.json", "\"code\": \"M03-1\", \"clause\": 1", "\"code\": \"T02-1\", \"clause\": 9");
        var errors = Rejected().Errors;
        Assert.Contains(errors, e => e.Path == "$.tasks[2].number");
        Assert.Contains(errors, e => e.Path == "$.tasks[2].section");
        Assert.Contains(errors, e => e.Path == "$.tasks[2].milestones[0].code" && e.Message.Contains("duplicate"));
        Assert.Contains(errors, e => e.Path == "$.tasks[2].milestones[0].clause");
    }

    [Fact]
    public void Due_date_outside_the_plan_period_is_rejected()
    {
        Edit("tasks.json", "\"dueDate\": \"2026-12-31\", \"recurrence\"", "\"dueDate\": \"2027-03-31\", \"recurrence\"");
        Assert.Contains(Rejected().Errors, e => e.Path == "$.tasks[2].milestones[0].dueDate");
    }

    [Fact]
    public void Group_member_must_exist()
    {
        Edit("agencies.json", "\"members\": [\"demo-east\", \"demo-west\"]", "\"members\": [\"demo-east\", \"demo-north\"]");
        Assert.Contains(Rejected().Errors, e => e.Path == "$.agencies[4].members[1]" && e.File.EndsWith("agencies.json"));
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        File.Delete(Path.Combine(Plan, "agencies.json"));
        var e = Assert.Single(Rejected().Errors);
        Assert.EndsWith("agencies.json", e.File);
        Assert.Contains("missing", e.Message);
    }
}
