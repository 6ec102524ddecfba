#!/usr/bin/env python3
"""Rewrites README.md's generated settings tables (the blocks between
"<!-- settings: <group> -->" and "<!-- end settings -->") from the settings
table, as `ltocache config --markdown` prints it.

  utils/update-readme-settings.py [<build dir>]   (default: build)
"""
import os
import re
import subprocess
import sys

root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build")
md = subprocess.run([os.path.join(build, "bin", "ltocache"), "config",
                     "--markdown"], check=True, capture_output=True,
                    text=True).stdout
readme = os.path.join(root, "README.md")
text = open(readme, encoding="utf-8").read()
blocks = re.findall(r"(<!-- settings: (\w+) -->\n.*?<!-- end settings -->\n)",
                    md, re.S)
for block, group in blocks:
    pattern = r"<!-- settings: %s -->\n.*?<!-- end settings -->\n" % group
    if not re.search(pattern, text, re.S):
        sys.exit(f"README.md has no block for group '{group}': add "
                 f"'<!-- settings: {group} -->' and '<!-- end settings -->'")
    text = re.sub(pattern, lambda m: block, text, flags=re.S)
open(readme, "w", encoding="utf-8").write(text)
print(f"README.md: {len(blocks)} settings tables written")
