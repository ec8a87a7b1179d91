#!/usr/bin/env python3
"""Keep docs/protocol.md's operation tables equal to `hearthd --list-ops`.
  python3 tests/docs_ops.py --build build          check (exit 1 if stale)
  python3 tests/docs_ops.py --build build --write  rewrite them (make docs)"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, 'docs', 'protocol.md')
PATTERN = re.compile(r'(<!-- ops:begin -->\n)(.*?)(<!-- ops:end -->)', re.S)


def generated(build):
    return subprocess.run([os.path.join(build, 'hearthd'), '--list-ops'], check=True,
                          capture_output=True, text=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--write', action='store_true')
    a = ap.parse_args()
    text = open(DOC).read()
    m = PATTERN.search(text)
    if not m:
        sys.exit('docs/protocol.md has no <!-- ops:begin --> ... <!-- ops:end --> block')
    table = generated(a.build)
    if a.write:
        text = text[:m.start(2)] + table + text[m.end(2):]
        open(DOC, 'w').write(text)
        return
    if m.group(2) != table:
        sys.exit('docs/protocol.md operation tables are stale: run make docs')


if __name__ == '__main__':
    main()
