namespace Landmarks.Imaging.IO;

/// <summary>
/// Held while one process writes a file over many steps (predict's CSV, rewritten after each case), so that a second
/// writer of the same file is refused instead of interleaving with it. The lock is the operating system's on a sibling
/// PATH.lock (flock on Unix): a killed process leaves no lock behind.
/// </summary>
public sealed class WriterLock : IDisposable
{
    private readonly FileStream _lock;

    private WriterLock(FileStream held) => _lock = held;

    public static WriterLock Acquire(string path)
    {
        string fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        try
        {
            return new WriterLock(new FileStream(fullPath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
        }
        catch (IOException)
        {
            throw new InvalidFileException(path, "another process is writing it (wait for it to end, or write to another file)");
        }
    }

    public void Dispose() => _lock.Dispose();
}
