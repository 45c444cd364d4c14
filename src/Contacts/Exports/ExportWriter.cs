using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace CrmPlatform.Contacts.Exports;

public enum ExportFormat
{
    Csv,
    Xlsx,
    Json,
}

/// <summary>
/// Writes records to the response as they come from the database reader: nothing but the current row (and the
/// writers' buffers) is held in memory, however many rows there are.
/// </summary>
public static class ExportWriter
{
    public static string ContentType(ExportFormat format) => format switch
    {
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/json; charset=utf-8",
    };

    public static async Task WriteAsync<TRecord, TResponse>(HttpContext http, ExportFormat format, string name, IQueryable<TRecord> rows,
        IReadOnlyList<ExportColumn<TRecord>> columns, Func<TRecord, TResponse> toResponse, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var response = http.Response;
        response.ContentType = ContentType(format);
        response.Headers.ContentDisposition = $"attachment; filename=\"{name}.{format.ToString().ToLowerInvariant()}\"";
        switch (format)
        {
            case ExportFormat.Csv:
                await WriteCsvAsync(response, rows.AsAsyncEnumerable(), columns, cancellationToken);
                break;
            case ExportFormat.Json:
                await JsonSerializer.SerializeAsync(response.Body, Project(rows.AsAsyncEnumerable(), toResponse), json, cancellationToken);
                break;
            default:
                // MiniExcel's zip writer needs a seekable stream: the sheet goes to a temporary file (on disk, not in
                // memory), written from a synchronous enumeration of the reader, and the file to the response.
                var path = Path.GetTempFileName();
                await using (var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 65536, FileOptions.DeleteOnClose))
                {
                    var sheet = rows.AsEnumerable().Select(row => columns.ToDictionary(c => c.Header, c => (object?)c.Value(row)));
                    // Not FastMode, which trades memory for speed.
                    await Task.Run(() => MiniExcel.SaveAs(file, EmptyAsHeaderOnly(sheet, columns), excelType: ExcelType.XLSX), cancellationToken);
                    file.Position = 0;
                    await file.CopyToAsync(response.Body, cancellationToken);
                }
                break;
        }
    }

    private static async IAsyncEnumerable<TResponse> Project<TRecord, TResponse>(IAsyncEnumerable<TRecord> rows, Func<TRecord, TResponse> project)
    {
        await foreach (var row in rows)
        {
            yield return project(row);
        }
    }

    /// <summary>MiniExcel takes its header from the first row, so an empty export gets a header row all the same.</summary>
    private static IEnumerable<Dictionary<string, object?>> EmptyAsHeaderOnly<TRecord>(IEnumerable<Dictionary<string, object?>> sheet, IReadOnlyList<ExportColumn<TRecord>> columns)
    {
        var any = false;
        foreach (var row in sheet)
        {
            any = true;
            yield return row;
        }
        if (!any)
        {
            yield return columns.ToDictionary(c => c.Header, _ => (object?)null);
        }
    }

    private static async Task WriteCsvAsync<TRecord>(HttpResponse response, IAsyncEnumerable<TRecord> rows, IReadOnlyList<ExportColumn<TRecord>> columns,
        CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), 65536);
        await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var column in columns)
        {
            csv.WriteField(column.Header);
        }
        await csv.NextRecordAsync();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            foreach (var column in columns)
            {
                csv.WriteField(column.Value(row));
            }
            await csv.NextRecordAsync();
        }
        await csv.FlushAsync();
    }
}
