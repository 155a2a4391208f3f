using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace SentenceEmbeddings.ModelFolders;

/// <summary>The CPU instruction sets that decide which published int8 ONNX variant runs fastest.</summary>
/// <param name="Avx512Vnni">AVX-512 with VNNI (int8 dot products in one instruction).</param>
/// <param name="Avx512">AVX-512 Foundation.</param>
/// <param name="Avx2">AVX2.</param>
/// <param name="Arm64">64-bit Arm with Advanced SIMD.</param>
internal readonly record struct CpuFeatures(bool Avx512Vnni, bool Avx512, bool Avx2, bool Arm64)
{
    /// <summary>Gets the features of the CPU this process runs on.</summary>
    public static CpuFeatures Current { get; } = Detect();

    private static CpuFeatures Detect()
    {
        bool avx512 = Avx512F.IsSupported;

        // .NET 10 has no Avx512Vnni class; CPUID leaf 7 ECX bit 11 is AVX512_VNNI (the OS saves ZMM state when Avx512F is supported).
        bool vnni = avx512 && X86Base.IsSupported && (X86Base.CpuId(7, 0).Ecx & (1 << 11)) != 0;
        return new CpuFeatures(vnni, avx512, System.Runtime.Intrinsics.X86.Avx2.IsSupported, AdvSimd.Arm64.IsSupported);
    }
}
