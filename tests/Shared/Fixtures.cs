namespace Landmarks.Tests;

/// <summary>Small datasets that tests make for themselves.</summary>
public static class Fixtures
{
    /// <summary>A miniature ISBI 2015 layout with JPEG images and pixel annotations.</summary>
    public static string MakeMiniIsbi(TempDirectory dir, int cases)
    {
        string root = dir.File("isbi");
        Directory.CreateDirectory(Path.Combine(root, "RawImage", "TrainingData"));
        Directory.CreateDirectory(Path.Combine(root, "AnnotationsByMD", "400_senior"));
        Directory.CreateDirectory(Path.Combine(root, "AnnotationsByMD", "400_junior"));
        for (int n = 1; n <= cases; n++)
        {
            string id = $"{n:000}";
            using (var bitmap = new SkiaSharp.SKBitmap(40, 30))
            {
                bitmap.Erase(new SkiaSharp.SKColor(90, 90, 90));
                using var data = SkiaSharp.SKImage.FromBitmap(bitmap).Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
                File.WriteAllBytes(Path.Combine(root, "RawImage", "TrainingData", id + ".jpg"), data.ToArray());
            }
            var lines = Enumerable.Range(0, 19).Select(k => $"{k + n},{k}").Append("1").Append("2");
            File.WriteAllLines(Path.Combine(root, "AnnotationsByMD", "400_senior", id + ".txt"), lines);
            File.WriteAllLines(Path.Combine(root, "AnnotationsByMD", "400_junior", id + ".txt"), Enumerable.Range(0, 19).Select(k => $"{k + n + 1},{k}"));
        }
        return root;
    }
}
