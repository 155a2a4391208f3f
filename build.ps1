#!/usr/bin/env pwsh
# Build, test, pack and benchmark SentenceEmbeddings. Runs on Windows and Linux:
#   dotnet tool restore
#   dotnet pwsh ./build.ps1 [build|test|pack|bench|bench-quick] [-Configuration Release]
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'pack', 'bench', 'bench-quick')]
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
        Invoke-Dotnet pack (Join-Path $root 'src/SentenceEmbeddings/SentenceEmbeddings.csproj') -c $Configuration -o (Join-Path $artifacts 'packages')
        Invoke-Dotnet pack (Join-Path $root 'src/SentenceEmbeddings.Quantization/SentenceEmbeddings.Quantization.csproj') -c $Configuration -o (Join-Path $artifacts 'packages')
        Invoke-Dotnet pack (Join-Path $root 'src/SentenceEmbeddings.Cli/SentenceEmbeddings.Cli.csproj') -c $Configuration -o (Join-Path $artifacts 'packages')
    }
    'bench' {
        Invoke-Dotnet run --project (Join-Path $root 'benchmarks/SentenceEmbeddings.Benchmarks') -c Release -- --filter '*' @Rest
    }
    'bench-quick' {
        Invoke-Dotnet run --project (Join-Path $root 'benchmarks/SentenceEmbeddings.Benchmarks') -c Release -- --filter '*' --quick @Rest
    }
}
