using Microsoft.Playwright;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>Debian's chromium, headless, as the browser tests run it (no sandbox as root, nothing fetched from the network).</summary>
public static class Chromium
{
    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = Args });
}
