#!/usr/bin/env python3
"""Checks lib/'s include rule: a component includes only what lib/README.md
allows it ("may include" column), headers are included as
"<Component>/<Name>.h", and every folder of lib/ is a component of the table.

  utils/check-layering.py [<source dir>]

Prints every violation and exits 1 if there is one.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_rules(readme):
    """{component: set of components it may include}, from the table."""
    rules = {}
    for line in open(readme, encoding="utf-8"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        comp = cells[0].strip("`")
        allowed = set(re.findall(r"`([A-Za-z]+)`", cells[2]))
        rules[comp] = allowed
    return rules


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    lib = os.path.join(root, "lib")
    rules = read_rules(os.path.join(lib, "README.md"))
    problems = []
    if not rules:
        problems.append("lib/README.md: no component table found")
    folders = sorted(d for d in os.listdir(lib)
                     if os.path.isdir(os.path.join(lib, d)))
    for d in folders:
        if d not in rules:
            problems.append(f"lib/{d}/ is not in lib/README.md's table")
    for comp in rules:
        if comp not in folders:
            problems.append(f"lib/README.md names {comp}, which has no folder")
        for other in rules[comp]:
            if other not in rules:
                problems.append(f"lib/README.md: {comp} may include unknown "
                                f"component {other}")

    # Every header of lib/, by the name it must be included as.
    headers = {}
    for comp in folders:
        for name in os.listdir(os.path.join(lib, comp)):
            if name.endswith(".h"):
                headers.setdefault(name, []).append(f"{comp}/{name}")

    checked = 0
    for comp in folders:
        for name in sorted(os.listdir(os.path.join(lib, comp))):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(lib, comp, name)
            text = open(path, encoding="utf-8").read()
            for inc in INCLUDE.findall(text):
                checked += 1
                where = f"lib/{comp}/{name}"
                if "/" not in inc:
                    if inc in headers:
                        problems.append(f'{where}: #include "{inc}": include '
                                        f'it as "{headers[inc][0]}"')
                    continue
                target = inc.split("/")[0]
                if target not in rules:
                    continue  # Not ours (llvm/..., clang/...).
                if target != comp and target not in rules.get(comp, ()):
                    problems.append(f'{where}: #include "{inc}": {comp} may '
                                    f'not include {target} (lib/README.md)')
    for p in problems:
        print("layering: " + p)
    print(f"layering: {len(folders)} components, {checked} includes checked, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
