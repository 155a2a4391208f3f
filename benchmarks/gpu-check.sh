#!/usr/bin/env bash
# gpu-check.sh: SentenceEmbeddings on an NVIDIA GPU, in one go. Prints the GPU, checks that the CUDA libraries ONNX Runtime
# 1.32.0 needs are there, builds in Release, runs the Cuda test app with its GPU tests on (CUDA vs CPU parity, cosine
# >= 0.9999), and prints sentences/s on the short and long corpora on CUDA and on the CPU of the same machine.
#
#   benchmarks/gpu-check.sh                  build and run here (needs the .NET 10 SDK and NuGet: a feed, or a
#                                            ~/.nuget/packages restored beforehand; about 3-5 minutes on 16 cores)
#   benchmarks/gpu-check.sh --prepare DIR    on a machine with NuGet and no GPU: publish the check console self-contained
#                                            into DIR (about 500 MB: the GPU build of ONNX Runtime alone is 320 MB)
#   DIR/gpu-check.sh --from DIR              on a GPU machine without network or SDK: the same checks from DIR (parity by
#                                            the console on the reference sentences, then sentences/s); no xunit run
#
# Needs on the GPU machine: an NVIDIA driver for CUDA 13 (580 or newer), CUDA 13.x libraries (libcudart.so.13,
# libcublas.so.13, libcublasLt.so.13, libcurand.so.10, libcufft.so.12) and cuDNN 9.x (libcudnn.so.9) where the loader
# finds them (ldconfig or LD_LIBRARY_PATH). Where they come from pip wheels (nvidia-cublas, nvidia-cudnn-cu13, …, as
# with a CUDA 13 PyTorch), their lib folders are added to LD_LIBRARY_PATH for you.
# Environment: REPEAT (timed CUDA calls per corpus, default 5), CPU_REPEAT (default 2).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
mode=build
dir=""
case "${1:-}" in
  --prepare) mode=prepare; dir="${2:?--prepare needs a folder}" ;;
  --from) mode=from; dir="$(cd "${2:?--from needs a folder}" && pwd)" ;;
  "") ;;
  *) echo "usage: $0 [--prepare DIR | --from DIR]" >&2; exit 2 ;;
esac
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

console_project="$root/benchmarks/SentenceEmbeddings.GpuCheck"
tests_project="$root/tests/SentenceEmbeddings.Cuda.Tests"

if [[ $mode == prepare ]]; then
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  dotnet build "$console_project" -c Release
  dotnet publish "$console_project" -c Release -r linux-x64 --self-contained -o "$dir"
  # The model folders are written next to the build output (build/NuGetModels.targets), not by publish.
  cp -r "$console_project/bin/Release/net10.0/models" "$dir/"
  cp "$0" "$dir/gpu-check.sh"
  echo "prepared $dir ($(du -sh "$dir" | cut -f1)); copy it to the GPU machine and run: $dir/gpu-check.sh --from $dir"
  exit 0
fi

echo "== GPU"
if ! command -v nvidia-smi >/dev/null; then
  echo "nvidia-smi not found: this is not a machine with an NVIDIA driver." >&2
  exit 1
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

if [[ $mode == build ]]; then
  echo "== build (Release)"
  dotnet --version
  dotnet build "$tests_project" -c Release
  dotnet build "$console_project" -c Release
  app="$console_project/bin/Release/net10.0"
  run_console=(dotnet "$app/SentenceEmbeddings.GpuCheck.dll")
else
  app="$dir"
  run_console=("$dir/SentenceEmbeddings.GpuCheck")
fi
natives="$app/runtimes/linux-x64/native"
[[ -d $natives ]] || natives="$app"  # a publish for linux-x64 puts the natives next to the program

echo "== CUDA libraries (ONNX Runtime 1.32.0 needs CUDA 13.x and cuDNN 9.x)"
provider="$natives/libonnxruntime_providers_cuda.so"
has_library() {  # a library the provider loads at run time (dlopen), so ldd does not list it
  ldconfig -p | grep -q " $1 " && return 0
  local d
  IFS=: read -ra dirs <<< "${LD_LIBRARY_PATH:-}"
  for d in "${dirs[@]}"; do [[ -n $d && -e $d/$1 ]] && return 0; done
  return 1
}
missing() {
  ldd "$provider" | awk '/not found/ {print $1}'
  has_library libcudnn.so.9 || echo libcudnn.so.9
}
if [[ -n "$(missing)" ]] && command -v python3 >/dev/null; then
  pip_libs="$(python3 - <<'EOF' 2>/dev/null || true
import glob, importlib.util, os
spec = importlib.util.find_spec("nvidia")
for root in (spec.submodule_search_locations if spec else []):
    for d in sorted(glob.glob(os.path.join(root, "*", "lib")) + glob.glob(os.path.join(root, "*", "lib64"))):
        print(d)
EOF
)"
  if [[ -n $pip_libs ]]; then
    LD_LIBRARY_PATH="$(echo "$pip_libs" | paste -sd:)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export LD_LIBRARY_PATH
    echo "added the pip CUDA wheels' lib folders to LD_LIBRARY_PATH"
  fi
fi
still_missing="$(missing)"
if [[ -n $still_missing ]]; then
  echo "missing: $(echo "$still_missing" | paste -sd' ')" >&2
  echo "Install CUDA 13.x and cuDNN 9.x (or use an nvidia/cuda:13.0.x-cudnn-runtime image); with CUDA 12 only, the GPU build of ONNX Runtime 1.32.0 cannot start." >&2
  exit 1
fi
echo "all found: $(ldd "$provider" | grep -oE 'lib(cudart|cublasLt|cublas|curand)\.so\.[0-9]+ => [^ ]+' | paste -sd';')"

if [[ $mode == build ]]; then
  echo "== Cuda test app, GPU tests on (parity CUDA vs CPU, cosine >= 0.9999)"
  SENTENCE_EMBEDDINGS_TEST_GPU=1 dotnet test "$tests_project" -c Release --no-build --logger "console;verbosity=normal"
fi

echo "== parity and sentences/s, all-MiniLM-L6-v2 fp32, CUDA vs CPU ($(nproc) cores)"
"${run_console[@]}" --repeat "${REPEAT:-5}" --cpu-repeat "${CPU_REPEAT:-2}"
