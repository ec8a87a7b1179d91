"""The protocol document lists every operation the server has."""
import os
import subprocess
import sys

import harness

HERE = os.path.dirname(os.path.abspath(__file__))


def test_protocol_doc_table_matches_server():
    p = subprocess.run([sys.executable, os.path.join(HERE, '..', 'docs_ops.py'),
                        '--build', harness.BUILD], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_every_op_documented_in_a_section():
    ops = subprocess.run([os.path.join(harness.BUILD, 'hearthd'), '--list-ops'],
                         capture_output=True, text=True, check=True).stdout
    names = [line.split('`')[1] for line in ops.splitlines() if line.startswith('| `')]
    doc = open(os.path.join(HERE, '..', '..', 'docs', 'protocol.md')).read()
    # outside the generated table, each op is described somewhere
    start, end = doc.index('<!-- ops:begin -->'), doc.index('<!-- ops:end -->')
    prose = doc[:start] + doc[end:]
    missing = [n for n in names if '`%s`' % n not in prose and '### %s' % n not in prose]
    assert not missing, 'undocumented operations: %s' % missing
