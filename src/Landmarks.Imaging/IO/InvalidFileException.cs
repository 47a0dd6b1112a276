namespace Landmarks.Imaging.IO;

/// <summary>
/// A file that cannot be used: missing, truncated, corrupt, unsupported or absurd. The message is
/// one line naming the file and the reason, fit to show a user as it is.
/// </summary>
public sealed class InvalidFileException(string path, string reason, Exception? inner = null)
    : Exception($"{path}: {Printable(reason)}", inner)
{
    public string FilePath { get; } = path;
    public string Reason { get; } = Printable(reason);

    /// <summary>Reasons quote the file's own bytes (a field's value); its control characters would garble a terminal
    /// or a log, so they are shown escaped, and a quote runs to 200 characters at most.</summary>
    private static string Printable(string text)
    {
        var builder = new System.Text.StringBuilder(Math.Min(text.Length, 400));
        foreach (char c in text.Length > 400 ? text[..400] + "..." : text)
            builder.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        return builder.ToString();
    }
}
