using System.Globalization;
using Landmarks.Imaging.Formats;
using Landmarks.Inference;
using Landmarks.Onnx;

// Usage: PredictLandmarks MODEL.zip IMAGE
// MODEL.zip comes from 'landmarks export'; IMAGE is any image the tool reads (NIfTI, MetaImage, NRRD, DICOM, PNG...).
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PredictLandmarks MODEL.zip IMAGE");
    return 1;
}
using var model = OnnxModel.Load(args[0]);
var localizer = new Localizer(model);
var image = ImageFile.Read(args[1]);
foreach (var landmark in localizer.Locate(image))
{
    var p = landmark.PositionMm;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{landmark.Name}: {p.X:0.00}, {p.Y:0.00}, {p.Z:0.00} mm (LPS), confidence {landmark.Confidence:0.00}{(landmark.Present ? "" : ", called absent")}"));
}
return 0;
