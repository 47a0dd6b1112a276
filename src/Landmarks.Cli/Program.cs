using System.Runtime.InteropServices;
using Landmarks.Cli;

// Beyond a file-size limit (ulimit -f) a write should fail with a clear error, not kill the process: with SIGXFSZ
// handled, the write returns EFBIG, and the atomic writers leave the previous file in place. The registration is kept
// to the end of the process, never disposed: a signal still being dispatched as the process ends would otherwise find
// the default action restored and kill it.
var fileSizeLimit = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()
    ? PosixSignalRegistration.Create((PosixSignal)25 /* SIGXFSZ */, context => context.Cancel = true)
    : null;
int exitCode = LandmarksCli.Run(args, Console.Out, Console.Error);
GC.KeepAlive(fileSizeLimit);
return exitCode;
