using SentenceEmbeddings.ModelFolders;

namespace SentenceEmbeddings.Tests.ModelFolders;

public sealed class OnnxFileSelectorTests
{
    // The onnx/ folder of a sentence-transformers repository on the hub, all variants published.
    private static readonly string[] Published =
    [
        "onnx/model.onnx", "onnx/model_O1.onnx", "onnx/model_O4.onnx", "onnx/model_qint8_arm64.onnx", "onnx/model_qint8_avx512.onnx",
        "onnx/model_qint8_avx512_vnni.onnx", "onnx/model_quint8_avx2.onnx",
    ];

    private static readonly CpuFeatures Vnni = new(Avx512Vnni: true, Avx512: true, Avx2: true, Arm64: false);
    private static readonly CpuFeatures Avx512Only = new(Avx512Vnni: false, Avx512: true, Avx2: true, Arm64: false);
    private static readonly CpuFeatures Avx2Only = new(Avx512Vnni: false, Avx512: false, Avx2: true, Arm64: false);
    private static readonly CpuFeatures Arm64 = new(Avx512Vnni: false, Avx512: false, Avx2: false, Arm64: true);
    private static readonly CpuFeatures Bare = new(Avx512Vnni: false, Avx512: false, Avx2: false, Arm64: false);

    [Theory]
    [InlineData("avx512-vnni", "onnx/model_qint8_avx512_vnni.onnx")]
    [InlineData("avx512", "onnx/model_qint8_avx512.onnx")]
    [InlineData("avx2", "onnx/model_quint8_avx2.onnx")]
    [InlineData("arm64", "onnx/model_qint8_arm64.onnx")]
    [InlineData("none", "onnx/model.onnx")]
    public void Select_Auto_PicksTheVariantForTheCpu(string cpu, string expected)
    {
        CpuFeatures features = cpu switch
        {
            "avx512-vnni" => Vnni,
            "avx512" => Avx512Only,
            "avx2" => Avx2Only,
            "arm64" => Arm64,
            _ => Bare,
        };

        Assert.Equal(expected, OnnxFileSelector.Select(Published, OnnxVariant.Auto, features, useCuda: false));
    }

    [Fact]
    public void Select_Fp32_KeepsFp32WhateverTheCpu()
    {
        Assert.Equal("onnx/model.onnx", OnnxFileSelector.Select(Published, OnnxVariant.Fp32, Vnni, useCuda: false));
        Assert.Equal("model.onnx", OnnxFileSelector.Select(["model.onnx", "onnx/model.onnx", "model_qint8_avx512_vnni.onnx"], OnnxVariant.Fp32, Vnni, useCuda: false));
    }

    [Fact]
    public void Select_AutoOnCuda_NeverPicksInt8()
    {
        Assert.Equal("onnx/model.onnx", OnnxFileSelector.Select(Published, OnnxVariant.Auto, Vnni, useCuda: true));
    }

    [Fact]
    public void Select_AutoWithoutTheBestVariant_FallsBackToTheNextThatRunsOnTheCpu()
    {
        string[] files = ["onnx/model.onnx", "onnx/model_quint8_avx2.onnx", "onnx/model_qint8_arm64.onnx"];

        Assert.Equal("onnx/model_quint8_avx2.onnx", OnnxFileSelector.Select(files, OnnxVariant.Auto, Vnni, useCuda: false));
        Assert.Equal("onnx/model.onnx", OnnxFileSelector.Select(["onnx/model.onnx", "onnx/model_qint8_arm64.onnx"], OnnxVariant.Auto, Vnni, useCuda: false));
        Assert.Equal("onnx/model.onnx", OnnxFileSelector.Select(["onnx/model.onnx", "onnx/model_qint8_avx512_vnni.onnx"], OnnxVariant.Auto, Arm64, useCuda: false));
    }

    [Fact]
    public void Select_AutoVariantAtTheRoot_IsFoundToo()
    {
        Assert.Equal("model_qint8_avx512.onnx", OnnxFileSelector.Select(["model.onnx", "model_qint8_avx512.onnx"], OnnxVariant.Auto, Avx512Only, useCuda: false));
    }

    [Fact]
    public void Select_OurOwnDefaultOutputName_IsNotPickedByAuto()
    {
        Assert.Equal("onnx/model.onnx", OnnxFileSelector.Select(["onnx/model.onnx", "onnx/model_int8_dynamic.onnx"], OnnxVariant.Auto, Vnni, useCuda: false));
    }

    [Fact]
    public void Select_NoFp32AndNoVariant_ReturnsNull()
    {
        Assert.Null(OnnxFileSelector.Select(["onnx/model_O4.onnx"], OnnxVariant.Auto, Vnni, useCuda: false));
    }
}
