using System.Runtime;

namespace Landmarks.Learning;

/// <summary>
/// A stretch of TorchSharp calls during which the garbage collector does not run. TorchSharp hands
/// native code the raw handles of temporary Scalars (an implicit alpha of 1, Adam's factors); a
/// collection during such a call lets the finalizer free a Scalar that is still in use, which
/// showed here as libtorch assertions ("toFloat", "alpha must not be a floating point number")
/// minutes into a training. With no collection inside the section, nothing in use is finalized;
/// what a collection before it queues was already unreachable. Entering costs about 0.2 ms.
/// </summary>
public readonly struct NoCollectionSection : IDisposable
{
    /// <summary>Managed allocations allowed inside a section: a training step allocates a few MB.</summary>
    private const long BudgetBytes = 64L << 20;

    private readonly bool _started;

    private NoCollectionSection(bool started) => _started = started;

    public static NoCollectionSection Enter()
    {
        try
        {
            return new NoCollectionSection(GC.TryStartNoGCRegion(BudgetBytes));
        }
        catch (InvalidOperationException)
        {
            // Another thread's section is open; it holds the collector off until it ends.
            return new NoCollectionSection(false);
        }
    }

    public void Dispose()
    {
        // A section that outgrew its budget has already ended with a collection.
        if (_started && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
    }
}
