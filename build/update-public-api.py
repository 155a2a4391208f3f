#!/usr/bin/env python3
"""Brings each library's PublicAPI.Unshipped.txt up to date with its code: drops the lines the analyzer reports as gone
(RS0017), then lets `dotnet format` add the new symbols (RS0016). Run through `build.ps1 public-api`; review the diff.
The builds keep warnings as errors, so a project with an unlisted symbol leaves no output that a later build could take as
up to date."""
import re
import subprocess
import sys

def build(project):
    return subprocess.run(['dotnet', 'build', project, '-c', 'Release', '--no-restore', '--no-incremental'],
                          capture_output=True, text=True).stdout


projects = sys.argv[1:]
# A few passes: `dotnet format` sometimes leaves an implicit constructor for the next one.
for project in projects * 3:
    build_output = build(project)
    if not re.search(r'\b(RS0016|RS0017)\b', build_output):
        continue
    gone = {}
    for path, line in re.findall(r'^(\S+PublicAPI\.(?:Un)?[Ss]hipped\.txt)\((\d+),\d+\): (?:warning|error) RS0017', build_output, re.M):
        gone.setdefault(path, set()).add(int(line))
    for path, lines in gone.items():
        with open(path, encoding='utf-8') as f:
            kept = [text for number, text in enumerate(f.read().split('\n'), 1) if number not in lines]
        with open(path, 'w', encoding='utf-8') as f:
            f.write('\n'.join(kept))
        print(f'{path}: {len(lines)} removed symbols dropped')
    subprocess.run(['dotnet', 'format', 'analyzers', project, '--diagnostics', 'RS0016', '--severity', 'warn', '--no-restore'], check=True)
    # What the code fix leaves (implicit constructors): the analyzer's message names the symbol in the file's own format.
    left = set(re.findall(r"error RS0016: Symbol '(.+?)' is not part of the declared public API", build(project)))
    if left:
        unshipped = project.rsplit('/', 1)[0] + '/PublicAPI.Unshipped.txt'
        with open(unshipped, encoding='utf-8') as f:
            lines = [line for line in f.read().split('\n') if line]
        lines = lines[:1] + sorted(set(lines[1:]) | left)
        with open(unshipped, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
        print(f'{unshipped}: {len(left)} symbols added from the analyzer messages')
