namespace CrmPlatform.AppHost.Model;

public sealed record LogLine(DateTimeOffset Timestamp, string Text);

/// <summary>The last lines a resource printed, kept in memory for the dashboard.</summary>
public sealed class ResourceLog(int capacity = 2000)
{
    private readonly Queue<LogLine> _lines = new(capacity);

    /// <summary>Raised for each line after it is kept, on the thread reading the process output.</summary>
    public event Action<LogLine>? LineAdded;

    public void Add(string text)
    {
        var line = new LogLine(DateTimeOffset.UtcNow, text);
        lock (_lines)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }

        LineAdded?.Invoke(line);
    }

    public IReadOnlyList<LogLine> Snapshot()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }
}
