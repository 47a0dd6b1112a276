namespace Landmarks.Imaging.IO;

/// <summary>
/// A file that cannot be used: missing, truncated, corrupt, unsupported or absurd. The message is
/// one line naming the file and the reason, fit to show a user as it is.
/// </summary>
public sealed class InvalidFileException(string path, string reason, Exception? inner = null)
    : Exception($"{path}: {reason}", inner)
{
    public string FilePath { get; } = path;
    public string Reason { get; } = reason;
}
