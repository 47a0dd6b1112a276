using Landmarks.Inference.Shape;

namespace Landmarks.Inference.Model;

/// <summary>
/// A trained localizer as inference needs it, whatever engine runs its networks: the metadata (landmark names,
/// configuration, shape model, per-landmark stage choices, presence threshold), the appearance template of the
/// pose search, and the global and local networks. Disposing it disposes the networks that can be.
/// </summary>
public sealed class LocalizerModel(ModelMetadata metadata, IPatchNetwork global, IPatchNetwork local, AppearanceTemplate? template) : IDisposable
{
    public ModelMetadata Metadata => metadata;
    public IPatchNetwork Global => global;
    public IPatchNetwork Local => local;
    public AppearanceTemplate? Template => template;
    public IReadOnlyList<string> LandmarkNames => metadata.LandmarkNames;
    public LocalizerConfig Config => metadata.Config;

    /// <summary>The same networks with other metadata (a trainer's model as its training stands).</summary>
    public LocalizerModel WithMetadata(ModelMetadata other) => new(other, global, local, template);

    public void Dispose()
    {
        (global as IDisposable)?.Dispose();
        if (!ReferenceEquals(local, global)) (local as IDisposable)?.Dispose();
    }
}
