#!/usr/bin/env pwsh
# Build, test, pack and benchmark SentenceEmbeddings. Runs on Windows and Linux:
#   dotnet tool restore
#   dotnet pwsh ./build.ps1 [build|test|pack|pack-check|public-api|bench|bench-quick] [-Configuration Release]
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'pack', 'pack-check', 'public-api', 'bench', 'bench-quick')]
    [string] $Target = 'test',
    [string] $Configuration = 'Release',
    # Extra arguments for BenchmarkDotNet (bench), e.g. --filter '*Throughput*'.
    [Parameter(ValueFromRemainingArguments = $true)]
    [string[]] $Rest = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$solution = Join-Path $root 'SentenceEmbeddings.sln'
$artifacts = Join-Path $root 'artifacts'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

$packableProjects = @(
    'src/SentenceEmbeddings/SentenceEmbeddings.csproj',
    'src/SentenceEmbeddings.Cuda/SentenceEmbeddings.Cuda.csproj',
    'src/SentenceEmbeddings.Quantization/SentenceEmbeddings.Quantization.csproj',
    'src/SentenceEmbeddings.Search/SentenceEmbeddings.Search.csproj',
    'src/SentenceEmbeddings.Cli/SentenceEmbeddings.Cli.csproj'
)

# What every package must hold, and what none may: a README, the XML docs of each library, a symbol package beside it;
# no model weights, tokenizer or model configuration files, corpora or test assets.
function Test-Packages([string] $folder) {
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $nupkgs = @(Get-ChildItem $folder -Filter '*.nupkg')
    if ($nupkgs.Count -ne $packableProjects.Count) { throw "pack: expected $($packableProjects.Count) packages in $folder, found $($nupkgs.Count)" }
    $forbidden = '(\.onnx$|\.onnx_data$|vocab\.txt|tokenizer\.json|tokenizer_config\.json|sentencepiece\.bpe\.model|modules\.json|sentence_bert_config\.json|\.safetensors|(^|/)(models|assets|reference|data)/)'
    foreach ($nupkg in $nupkgs) {
        $id = $nupkg.BaseName -replace '\.\d+\.\d+\.\d+.*$', ''
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg.FullName)
        try { $entries = @($zip.Entries | ForEach-Object { $_.FullName }) } finally { $zip.Dispose() }
        if ($entries -notcontains 'README.md') { throw "pack: $($nupkg.Name) has no README.md" }
        $bad = @($entries | Where-Object { $_ -match $forbidden })
        if ($bad.Count -gt 0) { throw "pack: $($nupkg.Name) carries files that do not belong in a package: $($bad -join ', ')" }
        $isTool = $entries -contains 'tools/net10.0/any/DotnetToolSettings.xml'
        if (-not $isTool -and $entries -notcontains "lib/net10.0/$id.xml") { throw "pack: $($nupkg.Name) has no XML documentation (lib/net10.0/$id.xml)" }
        $symbols = Join-Path $folder ($nupkg.BaseName + '.snupkg')
        if (-not (Test-Path $symbols)) { throw "pack: $($nupkg.Name) has no symbol package ($symbols)" }
        Write-Host "pack: $($nupkg.Name): README, $(if ($isTool) { 'tool' } else { 'XML docs' }), symbols, no model or test files ($($entries.Count) entries)"
    }
}

switch ($Target) {
    'build' {
        Invoke-Dotnet build $solution -c $Configuration
    }
    'test' {
        Invoke-Dotnet build $solution -c $Configuration
        $results = Join-Path $artifacts 'test-results'
        # Long runs (soak, fuzz) sit behind the Category=Long trait and are left out here.
        & dotnet test $solution -c $Configuration --no-build --filter 'Category!=Long' `
            --logger 'trx' --results-directory $results 2>&1 | Tee-Object -Variable output | Out-Host
        $code = $LASTEXITCODE
        # One plain summary line for CI readers: "N passed, N failed, N skipped".
        $passed = 0; $failed = 0; $skipped = 0
        foreach ($raw in $output) {
            $line = "$raw" -replace "`e\[[0-9;]*m", ''
            # "Passed!  - Failed: 0, Passed: 9, Skipped: 0 …" (minimal) or "     Passed: 9" (normal verbosity).
            if ("$line" -match 'Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)') {
                $failed += [int]$Matches[1]; $passed += [int]$Matches[2]; $skipped += [int]$Matches[3]
            }
            elseif ("$line" -match '^\s*(Passed|Failed|Skipped):\s+(\d+)\s*$') {
                switch ($Matches[1]) { 'Passed' { $passed += [int]$Matches[2] } 'Failed' { $failed += [int]$Matches[2] } 'Skipped' { $skipped += [int]$Matches[2] } }
            }
        }
        Write-Host "tests: $passed passed, $failed failed, $skipped skipped"
        if ($code -ne 0) { throw "dotnet test failed with exit code $code" }
        if ($passed -eq 0) { throw 'dotnet test ran no test' }
    }
    'pack' {
        $packages = Join-Path $artifacts 'packages'
        Remove-Item -Recurse -Force $packages -ErrorAction SilentlyContinue
        foreach ($project in $packableProjects) {
            Invoke-Dotnet pack (Join-Path $root $project) -c $Configuration -o $packages
        }
        Test-Packages $packages
    }
    'public-api' {
        # Adds every public symbol the analyzer reports as unlisted (RS0016) to PublicAPI.Unshipped.txt, and drops removed
        # ones (RS0017). Review the diff: it is the public change.
        $libraries = @($packableProjects | Where-Object { $_ -notmatch 'Cli' } | ForEach-Object { Join-Path $root $_ })
        & python3 (Join-Path $root 'build/update-public-api.py') @libraries
        if ($LASTEXITCODE -ne 0) { throw "update-public-api.py failed with exit code $LASTEXITCODE" }
    }
    'pack-check' {
        # A NuGet consumer's view of SentenceEmbeddings.Cuda: pack it and the core under a version of their own into a
        # feed, build and publish an app outside this repository (so only the package's buildTransitive targets act), and
        # check that the app carries the GPU package's libonnxruntime.so and loads a build with the CUDA provider.
        $version = "0.0.0-check.$([DateTime]::UtcNow.ToString('yyyyMMddHHmmss'))"
        $work = Join-Path ([System.IO.Path]::GetTempPath()) "se-pack-check-$version"
        $feed = Join-Path $work 'feed'
        $app = Join-Path $work 'app'
        try {
            Invoke-Dotnet pack (Join-Path $root 'src/SentenceEmbeddings/SentenceEmbeddings.csproj') -c $Configuration -o $feed "-p:Version=$version"
            Invoke-Dotnet pack (Join-Path $root 'src/SentenceEmbeddings.Cuda/SentenceEmbeddings.Cuda.csproj') -c $Configuration -o $feed "-p:Version=$version"
            New-Item -ItemType Directory -Force $app | Out-Null
            $globalPackages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
            # Packages already in the global folder are read from there; only the two new ones land in the work folder.
            Set-Content (Join-Path $app 'nuget.config') @"
<configuration>
  <config><add key="globalPackagesFolder" value="$(Join-Path $work 'packages')" /></config>
  <packageSources><add key="pack-check" value="$feed" /></packageSources>
  <fallbackPackageFolders><add key="global" value="$globalPackages" /></fallbackPackageFolders>
</configuration>
"@
            Set-Content (Join-Path $app 'PackCheck.csproj') @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup><PackageReference Include="SentenceEmbeddings.Cuda" Version="$version" /></ItemGroup>
</Project>
"@
            Set-Content (Join-Path $app 'Program.cs') 'Console.WriteLine(string.Join(",", Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders()));'
            $onnxRuntimeVersion = ([xml](Get-Content (Join-Path $root 'Directory.Packages.props'))).Project.PropertyGroup.OnnxRuntimeVersion
            $gpu = Join-Path $globalPackages "microsoft.ml.onnxruntime.gpu.linux/$onnxRuntimeVersion/runtimes/linux-x64/native/libonnxruntime.so"
            $expected = (Get-FileHash $gpu -Algorithm SHA256).Hash
            Invoke-Dotnet build (Join-Path $app 'PackCheck.csproj') -c Release
            Invoke-Dotnet publish (Join-Path $app 'PackCheck.csproj') -c Release -r linux-x64 --self-contained false -o (Join-Path $app 'publish')
            $checks = @{
                'build'                   = Join-Path $app 'bin/Release/net10.0/runtimes/linux-x64/native/libonnxruntime.so'
                'publish -r linux-x64'    = Join-Path $app 'publish/libonnxruntime.so'
            }
            foreach ($check in $checks.GetEnumerator()) {
                $actual = (Get-FileHash $check.Value -Algorithm SHA256).Hash
                if ($actual -ne $expected) { throw "pack-check: $($check.Key) carries $($check.Value) with sha256 $actual, not the GPU package's $expected" }
                Write-Host "pack-check: $($check.Key): libonnxruntime.so is the GPU package's ($expected)"
            }
            $providers = & dotnet (Join-Path $app 'bin/Release/net10.0/PackCheck.dll')
            if ($providers -notmatch 'CUDAExecutionProvider') { throw "pack-check: the app loaded an ONNX Runtime without CUDA ($providers)" }
            Write-Host "pack-check: providers $providers"
        }
        finally {
            Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
        }
    }
    # dotnet is called directly here: passed on through Invoke-Dotnet's @args, pwsh on Linux would expand the '*' filter
    # into the file names of the current folder.
    'bench' {
        & dotnet run --project (Join-Path $root 'benchmarks/SentenceEmbeddings.Benchmarks') -c Release -- --filter '*' @Rest
        if ($LASTEXITCODE -ne 0) { throw "the benchmarks failed with exit code $LASTEXITCODE" }
    }
    'bench-quick' {
        & dotnet run --project (Join-Path $root 'benchmarks/SentenceEmbeddings.Benchmarks') -c Release -- --filter '*' --quick @Rest
        if ($LASTEXITCODE -ne 0) { throw "the benchmarks failed with exit code $LASTEXITCODE" }
    }
}
