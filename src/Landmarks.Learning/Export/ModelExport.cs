using Landmarks.Inference.Model;
using Landmarks.Learning.Model;

namespace Landmarks.Learning.Export;

/// <summary>A trained model as an exported package: both networks as ONNX graphs, with the model's metadata and template.</summary>
public static class ModelExport
{
    public const string NetworkFormat = "onnx";

    public static ModelPackage ToOnnx(TorchModel model)
    {
        int dimension = model.Config.Dimension, landmarks = model.LandmarkNames.Count;
        return new ModelPackage(model.Metadata, NetworkFormat,
            OnnxExport.Network(model.Global, dimension, landmarks, "global"), OnnxExport.Network(model.Local, dimension, landmarks, "local"), model.Template);
    }
}
