using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace CrmPlatform.AppHost.Output;

/// <summary>The AppHost's own messages as <c>[apphost] message</c>, between the children's prefixed lines.</summary>
internal sealed class AppHostConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "apphost";

    private static readonly bool UseColor = !Console.IsOutputRedirected;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (logEntry.Exception is not null)
        {
            message += Environment.NewLine + logEntry.Exception;
        }

        var (label, color) = logEntry.LogLevel switch
        {
            LogLevel.Warning => ("warning: ", "33"),
            >= LogLevel.Error => ("error: ", "31"),
            _ => ("", null),
        };
        var prefix = UseColor ? "\e[1m[apphost]\e[0m " : "[apphost] ";
        foreach (var line in message.Split('\n'))
        {
            var text = label + line.TrimEnd('\r');
            textWriter.WriteLine(prefix + (UseColor && color is not null ? $"\e[{color}m{text}\e[0m" : text));
        }
    }
}
