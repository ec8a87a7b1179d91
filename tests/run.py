#!/usr/bin/env python3
"""Run every Hearth test: the cmocka unit programs, then the integration
tests (tests/integration/test_*.py, each test_* function against a real
hearthd). Prints one line per test and ends with "N passed, N failed"."""
import argparse
import glob
import importlib.util
import os
import re
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_unit(build, results):
    progs = sorted(p for p in glob.glob(os.path.join(build, 'tests', 'unit', 'test_*'))
                   if os.access(p, os.X_OK) and not p.endswith('.p'))
    for prog in progs:
        name = 'unit/' + os.path.basename(prog)
        t0 = time.time()
        try:
            proc = subprocess.run([prog], capture_output=True, text=True, timeout=300)
            out = proc.stdout + proc.stderr
        except subprocess.TimeoutExpired:
            results.append((name, False, 'timed out', 0))
            continue
        passed = sum(int(n) for n in re.findall(r'\[  PASSED  \] (\d+) test', out))
        failed = sum(int(n) for n in re.findall(r'\[  FAILED  \] (\d+) test', out))
        ok = proc.returncode == 0 and failed == 0 and passed > 0
        for line in out.splitlines():
            m = re.match(r'\[       OK \] (\S+)', line)
            if m:
                results.append(('%s:%s' % (name, m.group(1)), True, '', 0))
            m = re.match(r'\[  FAILED  \] (\S+)$', line)
            if m:
                results.append(('%s:%s' % (name, m.group(1)), False, out[-2000:], 0))
        if not ok and failed == 0:
            results.append((name, False, 'exit %d\n%s' % (proc.returncode, out[-3000:]),
                            time.time() - t0))


def run_integration(build, results, pattern, sanitized):
    sys.path.insert(0, os.path.join(HERE, 'integration'))
    import harness
    harness.configure(os.path.abspath(build), sanitized)
    files = sorted(glob.glob(os.path.join(HERE, 'integration', 'test_*.py')))
    for path in files:
        modname = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(modname, path)
        mod = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(mod)
        except Exception:
            results.append((modname, False, traceback.format_exc(), 0))
            continue
        tests = [(n, f) for n, f in vars(mod).items()
                 if n.startswith('test_') and callable(f)]
        tests.sort(key=lambda nf: nf[1].__code__.co_firstlineno)
        for name, fn in tests:
            full = '%s:%s' % (modname, name)
            if pattern and not re.search(pattern, full):
                continue
            t0 = time.time()
            try:
                fn()
                harness.cleanup(check=True)
                results.append((full, True, '', time.time() - t0))
            except Exception:
                detail = traceback.format_exc()
                detail += harness.cleanup(check=False)
                results.append((full, False, detail, time.time() - t0))
            r = results[-1]
            print('%s %s (%.1fs)' % ('PASS' if r[1] else 'FAIL', r[0], r[3]), flush=True)
            if not r[1]:
                print('    ' + r[2].replace('\n', '\n    ')[-6000:], flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--sanitized', action='store_true')
    ap.add_argument('-k', dest='pattern', default='')
    ap.add_argument('--no-unit', action='store_true')
    args = ap.parse_args()
    results = []
    if not args.no_unit and not args.pattern:
        run_unit(args.build, results)
        for name, ok, detail, _ in results:
            print('%s %s' % ('PASS' if ok else 'FAIL', name), flush=True)
            if not ok:
                print('    ' + detail.replace('\n', '\n    '), flush=True)
    run_integration(args.build, results, args.pattern, args.sanitized)
    passed = sum(1 for r in results if r[1])
    failed = len(results) - passed
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed or not results else 0)


if __name__ == '__main__':
    main()
