using Landmarks.Cli;

return LandmarksCli.Run(args, Console.Out, Console.Error);
