using System.Runtime.InteropServices;
using Landmarks.Cli;

// Beyond a file-size limit (ulimit -f) a write should fail with a clear error, not kill the process: with SIGXFSZ
// handled, the write returns EFBIG, and the atomic writers leave the previous file in place.
using var fileSizeLimit = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()
    ? PosixSignalRegistration.Create((PosixSignal)25 /* SIGXFSZ */, context => context.Cancel = true)
    : null;
return LandmarksCli.Run(args, Console.Out, Console.Error);
