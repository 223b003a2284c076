#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Lists every C string literal in the library directories that names a
command-line flag ("--root", "--fetch", ...): the library never names one
(the CLI in measure/ renders flag names). Prints FILE:LINE: LITERAL per hit;
exit 1 when there is any."""
import re
import sys
from pathlib import Path

LIBRARY_DIRS = ("common", "eif", "ovmf", "tdx", "compare", "pin", "image")
FLAG = re.compile(r"(?<![A-Za-z0-9-])--[a-z][a-z0-9-]*")


def literals(text):
    """Yields (line, literal body) for every string literal outside comments."""
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        elif c == '"':
            j, start = i + 1, line
            while j < n and text[j] != '"':
                if text[j] == "\n":
                    line += 1
                j += 2 if text[j] == "\\" else 1
            yield start, text[i + 1:j]
            i = j + 1
        else:
            if c == "\n":
                line += 1
            i += 1


def main(root):
    hits = 0
    for d in LIBRARY_DIRS:
        for path in sorted(Path(root, d).glob("*.[ch]")):
            for line, body in literals(path.read_text(errors="replace")):
                if FLAG.search(body):
                    print(f"{path}:{line}: \"{body}\"")
                    hits += 1
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
