using Landmarks.Imaging.IO;
using Landmarks.Inference.Model;
using Microsoft.ML.OnnxRuntime;

namespace Landmarks.Onnx;

/// <summary>Where ONNX Runtime runs the networks.</summary>
public enum OnnxDevice { Cpu, Cuda }

/// <summary>Loads an exported model (<see cref="ModelPackage"/>) for the inference core, its networks on ONNX Runtime.</summary>
public static class OnnxModel
{
    public const string NetworkFormat = "onnx";

    /// <param name="threads">Threads each network call may use (0: ONNX Runtime's choice, one per core).</param>
    public static LocalizerModel Load(string path, OnnxDevice device = OnnxDevice.Cpu, int threads = 0)
    {
        var package = ModelPackage.Load(path);
        if (package.NetworkFormat != NetworkFormat) throw new InvalidFileException(path, $"its networks are '{package.NetworkFormat}', not ONNX");
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads };
        // Each session has its own threads, which by default spin for a while after a call: the other network's
        // threads and .NET's (preparing crops) then wait for the cores. Measured on a cephalogram, 2 cores: 0.131 s
        // with spinning, 0.104 s without.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (device == OnnxDevice.Cuda)
        {
            try
            {
                options.AppendExecutionProvider_CUDA();
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                throw new InvalidOperationException($"CUDA is not available to ONNX Runtime here ({e.Message}): build with the GPU package and run where a CUDA device is", e);
            }
        }
        try
        {
            return new LocalizerModel(package.Metadata, new OnnxPatchNetwork(package.GlobalNetwork, options), new OnnxPatchNetwork(package.LocalNetwork, options), package.Template);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidFileException(path, $"ONNX Runtime cannot load its networks: {e.Message}", e);
        }
    }
}
