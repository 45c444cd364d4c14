using System.Diagnostics;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Contract;

/// <summary>
/// The OpenAPI documents as their users check them, with the tools in <c>contract/</c> (installed by test.sh with
/// <c>npm ci</c>): Spectral's standard OpenAPI ruleset with no error and no warning, and a TypeScript client
/// (openapi-typescript's types, openapi-fetch, <c>contract/client.ts</c>) that compiles under <c>tsc --strict</c>.
/// </summary>
public sealed class OpenApiToolingTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private static readonly string Contract = Path.Combine(Repository.Root, "contract");

    [Fact]
    public async Task The_documents_pass_spectrals_openapi_ruleset_and_a_client_generated_from_them_compiles()
    {
        var generated = Directory.CreateDirectory(Path.Combine(Contract, "generated")).FullName;
        foreach (var service in OpenApiContractTests.ServiceNames)
        {
            using var client = OpenApiContractTests.ClientFor(fixture.Platform, service);
            await File.WriteAllTextAsync(Path.Combine(generated, $"{service}.json"), await client.GetStringAsync("/openapi/v1.json"));
            var document = Path.Combine("generated", $"{service}.json");
            await RunAsync("spectral", "lint", document, "--ruleset", ".spectral.yaml", "--fail-severity", "warn", "--format", "text");
            await RunAsync("openapi-typescript", document, "--output", Path.Combine("generated", $"{service}.ts"));
        }
        await RunAsync("tsc", "--project", "tsconfig.json");
    }

    /// <summary>Runs one of <c>contract/</c>'s npm tools there; fails with what it printed unless it exits with 0.</summary>
    internal static async Task RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(Contract, "node_modules", ".bin", tool))
        {
            WorkingDirectory = Contract,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The AsyncAPI CLI reports each run to its makers unless its settings file says no: this one does.
            Environment = { ["ASYNCAPI_METRICS_CONFIG_PATH"] = Path.Combine(Contract, "asyncapi-analytics.json") },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await errors}");
    }
}
