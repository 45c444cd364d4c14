using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.Configuration;
using MiniExcelLibs;
using IConfiguration = Microsoft.Extensions.Configuration.IConfiguration;

namespace CrmPlatform.Persistence.Imports;

/// <summary>One data row of an import file: its number (1 after the header) and its cells by column.</summary>
public sealed record ImportRecord(int RowNumber, IReadOnlyDictionary<string, string?> Values);

public enum ImportFormat
{
    Csv,
    Xlsx,
}

/// <summary>
/// Where uploaded files are kept (<c>Imports:Directory</c>, one file per job) and how they are read: row by row, never
/// whole, CSV with CsvHelper and XLSX with MiniExcel's streaming query. Shared by the services that import (Contacts'
/// people, Sales' leads); each keeps its files in a folder of its own.
/// </summary>
public sealed class ImportFiles(IConfiguration configuration, string defaultFolderName)
{
    public string Directory { get; } = configuration["Imports:Directory"] ?? Path.Combine(Path.GetTempPath(), defaultFolderName);

    /// <summary><c>Imports:MaxFileBytes</c>, 1 GiB by default.</summary>
    public long MaxFileBytes { get; } = configuration.GetValue<long?>("Imports:MaxFileBytes") ?? 1L << 30;

    public string PathOf(Guid jobId) => Path.Combine(Directory, $"{jobId:N}.upload");

    /// <summary>Copies the body to the job's file in small buffers; false (and no file) when it is larger than allowed.</summary>
    public async Task<long?> SaveAsync(Guid jobId, Stream body, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(jobId);
        long written = 0;
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                written += read;
                if (written > MaxFileBytes)
                {
                    break;
                }
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch
        {
            Delete(jobId);
            throw;
        }
        if (written > MaxFileBytes)
        {
            Delete(jobId);
            return null;
        }
        return written;
    }

    public void Delete(Guid jobId) => File.Delete(PathOf(jobId));

    /// <summary>The header row; an error message when the file cannot be read as the format.</summary>
    public (string[] Columns, string? Error) ReadColumns(Guid jobId, ImportFormat format)
    {
        try
        {
            var columns = format == ImportFormat.Csv ? CsvColumns(PathOf(jobId)) : [.. MiniExcel.GetColumns(PathOf(jobId), useHeaderRow: true, excelType: ExcelType.XLSX)];
            columns = [.. columns.Where(c => !string.IsNullOrWhiteSpace(c))];
            return columns.Length == 0 ? ([], "The file has no header row.") : (columns, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ([], $"The file cannot be read as {format.ToString().ToUpperInvariant()}: {ex.Message}");
        }
    }

    /// <summary>
    /// A first mapping from the header: a column named like a field (any case, ignoring spaces, <c>_</c> and <c>-</c>)
    /// maps to it, each field to one column at most. Column to field.
    /// </summary>
    public static Dictionary<string, string> GuessMapping(IEnumerable<string> columns, IEnumerable<string> fields)
    {
        var byName = fields.ToDictionary(Simplified, f => f);
        var mapping = new Dictionary<string, string>();
        foreach (var column in columns)
        {
            if (byName.TryGetValue(Simplified(column), out var field) && !mapping.ContainsValue(field))
            {
                mapping[column] = field;
            }
        }
        return mapping;
    }

    private static string Simplified(string name) =>
        new([.. name.Where(c => !char.IsWhiteSpace(c) && c is not '_' and not '-').Select(char.ToLowerInvariant)]);

    /// <summary>The format a file name or content type says, if any.</summary>
    public static ImportFormat? FormatOf(string fileName, string? contentType) =>
        Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".csv" or ".txt" => ImportFormat.Csv,
            ".xlsx" => ImportFormat.Xlsx,
            _ => contentType?.Split(';')[0].Trim() switch
            {
                "text/csv" => ImportFormat.Csv,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ImportFormat.Xlsx,
                _ => null,
            },
        };

    public IEnumerable<ImportRecord> Read(Guid jobId, ImportFormat format) =>
        format == ImportFormat.Csv ? ReadCsv(PathOf(jobId)) : ReadXlsx(PathOf(jobId));

    private static CsvConfiguration CsvOptions => new(CultureInfo.InvariantCulture)
    {
        DetectDelimiter = true,
        BadDataFound = null,
        MissingFieldFound = null,
        TrimOptions = TrimOptions.Trim,
    };

    private static string[] CsvColumns(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, CsvOptions);
        return csv.Read() && csv.ReadHeader() ? csv.HeaderRecord ?? [] : [];
    }

    private static IEnumerable<ImportRecord> ReadCsv(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, CsvOptions);
        if (!csv.Read() || !csv.ReadHeader())
        {
            yield break;
        }
        var header = csv.HeaderRecord!;
        var row = 0;
        while (csv.Read())
        {
            var values = new Dictionary<string, string?>(header.Length);
            for (var i = 0; i < header.Length; i++)
            {
                values[header[i]] = i < csv.Parser.Count ? csv.Parser[i] : null;
            }
            yield return new ImportRecord(++row, values);
        }
    }

    private static IEnumerable<ImportRecord> ReadXlsx(string path)
    {
        var row = 0;
        foreach (IDictionary<string, object?> cells in MiniExcel.Query(path, useHeaderRow: true, excelType: ExcelType.XLSX))
        {
            var values = cells.ToDictionary(c => c.Key, c => Text(c.Value));
            if (values.Values.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }
            yield return new ImportRecord(++row, values);
        }
    }

    private static string? Text(object? cell) => cell switch
    {
        null => null,
        DateTime date => date.TimeOfDay == TimeSpan.Zero ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : date.ToString("O", CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString(),
    };
}
