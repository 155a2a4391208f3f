using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace SentenceEmbeddings.Cuda.Tests.Packaging;

/// <summary>An app that references SentenceEmbeddings.Cuda carries the GPU build of ONNX Runtime, not the CPU build the core package brings.</summary>
public sealed class NativeLibraryTests
{
    private const string LinuxNative = "runtimes/linux-x64/native";

    [Fact]
    public void Output_LibOnnxRuntime_IsTheGpuPackagesFile()
    {
        string output = Sha256(Path.Combine(AppContext.BaseDirectory, LinuxNative, "libonnxruntime.so"));

        Assert.Equal(Sha256(PackageFile("microsoft.ml.onnxruntime.gpu.linux", "libonnxruntime.so")), output);
        Assert.NotEqual(Sha256(PackageFile("microsoft.ml.onnxruntime", "libonnxruntime.so")), output);
    }

    [Fact]
    public void Output_CudaProviderLibraries_AreTheGpuPackages()
    {
        foreach (string library in (string[])["libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so"])
        {
            FileInfo copied = new(Path.Combine(AppContext.BaseDirectory, LinuxNative, library));
            Assert.True(copied.Exists, $"{library} is missing from the output");
            Assert.Equal(new FileInfo(PackageFile("microsoft.ml.onnxruntime.gpu.linux", library)).Length, copied.Length);
        }
    }

    [Fact]
    public void Output_WindowsGpuLibraries_AreLeftOutOfALinuxBuild()
    {
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "onnxruntime_providers_cuda.dll")));
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes/win-x64/native/onnxruntime_providers_cuda.dll")));
    }

    [Fact]
    public void DepsJson_ListsLibOnnxRuntimeOnlyUnderTheGpuPackage()
    {
        string depsFile = Path.Combine(AppContext.BaseDirectory, "SentenceEmbeddings.Cuda.Tests.deps.json");
        using JsonDocument deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var owners = new List<string>();
        foreach (JsonProperty target in deps.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (JsonProperty library in target.Value.EnumerateObject())
            {
                if (library.Value.TryGetProperty("runtimeTargets", out JsonElement assets) &&
                    assets.EnumerateObject().Any(a => a.Name == $"{LinuxNative}/libonnxruntime.so"))
                {
                    owners.Add(library.Name);
                }
            }
        }

        Assert.Equal([$"Microsoft.ML.OnnxRuntime.Gpu.Linux/{Version}"], owners);
    }

    [Fact]
    public void LoadedNativeLibrary_IsBuiltWithCuda()
    {
        // The GPU build lists CUDA whether or not the machine can run it; the CPU build never does.
        Assert.Contains("CUDAExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
    }

    private static string Version => Metadata("OnnxRuntimeVersion");

    private static string PackageFile(string packageFolder, string library) =>
        Path.Combine(Metadata("NuGetPackageRoot"), packageFolder, Version, LinuxNative, library);

    private static string Metadata(string key) =>
        typeof(NativeLibraryTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static string Sha256(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
