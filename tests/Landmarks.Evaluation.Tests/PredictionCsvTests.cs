using Landmarks.Imaging.Annotations;
using Landmarks.Imaging.Geometry;
using Landmarks.Imaging.IO;
using Landmarks.Tests;

namespace Landmarks.Evaluation.Tests;

public class PredictionCsvTests
{
    [Fact]
    public void Round_trip_keeps_rows_and_leaves_z_empty_in_2D()
    {
        using var dir = new TempDirectory();
        LandmarkPrediction[] rows =
        [
            new("001", "sella", new WorldMm(83.5, 99.6, 0), 0.97, true),
            new("001", "lower lip, soft", null, 0.02, false),
        ];
        PredictionCsv.Write(rows, dir.File("p.csv"), dimension: 2);
        Assert.Equal("case,landmark,x,y,z,confidence,present\n001,sella,83.5,99.6,,0.97,true\n001,\"lower lip, soft\",,,,0.02,false\n", File.ReadAllText(dir.File("p.csv")));
        Assert.Equal(rows, PredictionCsv.Read(dir.File("p.csv")));
    }

    [Theory]
    [InlineData("case,landmark,x,y\n", "header")]
    [InlineData("case,landmark,x,y,z,confidence,present\n1,a,1,2,,0.5,maybe\n", "not true or false")]
    [InlineData("case,landmark,x,y,z,confidence,present\n1,a,,,,0.5,true\n", "needs x and y")]
    [InlineData("case,landmark,x,y,z,confidence,present\n1,a,1,2,,0.5,true\n1,a,1,2,,0.5,true\n", "appears twice")]
    [InlineData("case,landmark,x,y,z,confidence,present\n1,a,NaN,2,,0.5,true\n", "not a finite")]
    public void Malformed_prediction_files_are_refused(string content, string reason)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("p.csv"), content);
        var e = Assert.Throws<InvalidFileException>(() => PredictionCsv.Read(dir.File("p.csv")));
        Assert.Contains(reason, e.Reason);
    }
}
