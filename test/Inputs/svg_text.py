#!/usr/bin/env python3
"""svg_text.py FILE.svg: parses FILE (it must be well-formed XML with an
<svg> root) and prints the text of every <text> element, one a line, in
document order."""
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
if not root.tag.endswith("svg"):
    sys.exit("%s: root element %s, not svg" % (sys.argv[1], root.tag))
for e in root.iter():
    if e.tag.endswith("}text") or e.tag == "text":
        print("".join(e.itertext()).strip())
