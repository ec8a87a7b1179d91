#!/usr/bin/env python3
"""Run every Hearth test: the cmocka unit programs and the integration tests
(tests/integration/test_*.py, each test_* function against a real hearthd).
Prints one PASS/FAIL line per test (a failure's detail indented under it)
and ends with "N passed, N failed".

With -j N (default: twice the CPUs) the tests run N at a time: unit
programs in threads of this process, integration tests in N worker
processes (this script with --worker) that each run one test at a time and
report back one JSON line per test. Every test has its own port, data
directory, keys and tmux socket, so tests never see each other. The slowest
tests start first, going by the times of the last run (kept in the build
directory). -j 1 runs everything in this process, in file order."""
import argparse
import glob
import importlib.util
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TIMES = 'test-times.json'   # in the build directory: seconds per test, last run


def unit_programs(build):
    return sorted(p for p in glob.glob(os.path.join(build, 'tests', 'unit', 'test_*'))
                  if os.access(p, os.X_OK) and not p.endswith('.p'))


def run_unit(prog):
    """One cmocka program: a result per test case (and one for a crash)."""
    name = 'unit/' + os.path.basename(prog)
    results = []
    t0 = time.time()
    try:
        proc = subprocess.run([prog], capture_output=True, text=True, timeout=300)
        out = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired:
        return [(name, False, 'timed out', time.time() - t0)]
    secs = time.time() - t0
    passed = sum(int(n) for n in re.findall(r'\[  PASSED  \] (\d+) test', out))
    failed = sum(int(n) for n in re.findall(r'\[  FAILED  \] (\d+) test', out))
    ok = proc.returncode == 0 and failed == 0 and passed > 0
    for line in out.splitlines():
        m = re.match(r'\[       OK \] (\S+)', line)
        if m:
            results.append(('%s:%s' % (name, m.group(1)), True, '', secs))
        m = re.match(r'\[  FAILED  \] (\S+)$', line)
        if m:
            results.append(('%s:%s' % (name, m.group(1)), False, out[-2000:], secs))
    if not ok and failed == 0:
        results.append((name, False, 'exit %d\n%s' % (proc.returncode, out[-3000:]), secs))
    return results


def setup_harness(build, sanitized):
    sys.path.insert(0, os.path.join(HERE, 'integration'))
    import harness
    harness.configure(os.path.abspath(build), sanitized)
    return harness


_modules = {}
_in_worker = False


def load_module(path):
    if path not in _modules:
        modname = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(modname, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _modules[path] = mod
    return _modules[path]


def discover(pattern):
    """(path, test name) for every integration test matching the pattern,
    in file and line order; a module that cannot load is a failure."""
    items, broken = [], []
    for path in sorted(glob.glob(os.path.join(HERE, 'integration', 'test_*.py'))):
        modname = os.path.splitext(os.path.basename(path))[0]
        try:
            mod = load_module(path)
        except Exception:
            broken.append((modname, False, traceback.format_exc(), 0))
            continue
        tests = [(n, f) for n, f in vars(mod).items()
                 if n.startswith('test_') and callable(f)]
        tests.sort(key=lambda nf: nf[1].__code__.co_firstlineno)
        for name, _ in tests:
            if pattern and not re.search(pattern, '%s:%s' % (modname, name)):
                continue
            items.append((path, name))
    return items, broken


def is_alone(path, name):
    return getattr(getattr(load_module(path), name), 'alone', False)


def full_name(path, name):
    return '%s:%s' % (os.path.splitext(os.path.basename(path))[0], name)


def run_test(harness, path, name):
    """Run one integration test here; (full name, ok, detail, seconds)."""
    t0 = time.time()
    try:
        getattr(load_module(path), name)()
        harness.cleanup(check=True)
        return (full_name(path, name), True, '', time.time() - t0)
    except BaseException as e:
        detail = traceback.format_exc()
        if isinstance(e, KeyboardInterrupt):
            if not _in_worker:
                harness.cleanup(check=False)
                raise               # Ctrl-C: stop the run
            detail = 'interrupted (timed out)\n' + detail
        detail += harness.cleanup(check=False)
        return (full_name(path, name), False, detail, time.time() - t0)


def worker(args):
    """Run the tests named on stdin ("path<TAB>name" lines), one JSON
    result line each on the original stdout; anything a test prints goes
    to stderr."""
    global _in_worker
    _in_worker = True      # SIGINT from run.py: this test timed out
    out = os.fdopen(os.dup(1), 'w')
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    harness = setup_harness(args.build, args.sanitized)
    for line in sys.stdin:
        path, name = line.rstrip('\n').split('\t')
        r = run_test(harness, path, name)
        out.write(json.dumps(r) + '\n')
        out.flush()


class Worker:
    """A worker process and the test it is running."""

    def __init__(self, args):
        cmd = [sys.executable, os.path.abspath(__file__), '--worker', '--build', args.build]
        if args.sanitized:
            cmd.append('--sanitized')
        # its own session: a timed-out worker is ended with all it started
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1, start_new_session=True)

    def run(self, path, name, timeout):
        self.proc.stdin.write('%s\t%s\n' % (path, name))
        self.proc.stdin.flush()
        got = []
        reader = threading.Thread(target=lambda: got.append(self.proc.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(timeout)
        late = reader.is_alive()
        if late:
            self.proc.send_signal(signal.SIGINT)   # the test fails and cleans up
            reader.join(30)
        if got and got[0]:
            r = tuple(json.loads(got[0]))
            if late:
                r = (r[0], False, 'timed out after %d s\n%s' % (timeout, r[2]), r[3])
            return r
        self.kill()
        return (full_name(path, name), False,
                'the test did not finish in %d s (or its worker died)' % timeout, timeout)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def close(self):
        if self.alive():
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()
        self.proc = None


def load_times(build):
    try:
        with open(os.path.join(build, TIMES)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def save_times(build, times, results):
    for name, ok, _, secs in results:
        if ok:
            times[name] = round(secs, 2)
    try:
        with open(os.path.join(build, TIMES), 'w') as f:
            json.dump(times, f, indent=0, sort_keys=True)
    except OSError:
        pass


class Report:
    """Prints each result as it comes, one line (and the detail) at a time."""

    def __init__(self):
        self.results = []
        self.lock = threading.Lock()

    def add(self, r, timed=True):
        with self.lock:
            self.results.append(r)
            if timed:
                print('%s %s (%.1fs)' % ('PASS' if r[1] else 'FAIL', r[0], r[3]), flush=True)
            else:
                print('%s %s' % ('PASS' if r[1] else 'FAIL', r[0]), flush=True)
            if not r[1]:
                detail = r[2]
                if len(detail) > 8000:   # keep the traceback and the log's end
                    detail = detail[:4000] + '\n[...]\n' + detail[-4000:]
                print('    ' + detail.replace('\n', '\n    '), flush=True)


def run_serial(args, report, units, items):
    for prog in units:
        for r in run_unit(prog):
            report.add(r, timed=False)
    harness = setup_harness(args.build, args.sanitized)
    for path, name in items:
        report.add(run_test(harness, path, name))


class Gate:
    """Tests run together, except those marked harness.alone (timings that
    a busy machine would upset), which wait for the others to finish and
    keep the rest waiting while they run."""

    def __init__(self):
        self.cv = threading.Condition()
        self.running = 0
        self.alone = False
        self.waiting_alone = 0

    def enter(self, alone):
        with self.cv:
            if alone:
                self.waiting_alone += 1
                self.cv.wait_for(lambda: self.running == 0)
                self.waiting_alone -= 1
                self.alone = True
            else:
                self.cv.wait_for(lambda: not self.alone and self.waiting_alone == 0)
            self.running += 1

    def leave(self, alone):
        with self.cv:
            self.running -= 1
            if alone:
                self.alone = False
            self.cv.notify_all()


def run_parallel(args, report, units, items, jobs):
    times = load_times(args.build)
    work = [('unit', prog, None) for prog in units]
    work += [('test', path, name) for path, name in items]
    # the slowest first (unknown: as if slow), so none starts last
    work.sort(key=lambda w: -times.get(full_name(w[1], w[2]) if w[0] == 'test'
                                       else 'unit/' + os.path.basename(w[1]), 1e6))
    # the ones that run alone first, while nothing else has started
    work.sort(key=lambda w: not (w[0] == 'test' and is_alone(w[1], w[2])))
    todo = queue.Queue()
    for w in work:
        todo.put(w)
    workers = []
    gate = Gate()

    def runner():
        wk = None
        try:
            while True:
                try:
                    kind, path, name = todo.get_nowait()
                except queue.Empty:
                    return
                if kind == 'unit':
                    gate.enter(False)
                    t0 = time.time()
                    try:
                        rs = run_unit(path)
                    finally:
                        gate.leave(False)
                    for r in rs:
                        report.add(r, timed=False)
                    with report.lock:
                        times['unit/' + os.path.basename(path)] = round(time.time() - t0, 2)
                    continue
                if wk is None or not wk.alive():
                    wk = Worker(args)
                    with report.lock:
                        workers.append(wk)
                alone = is_alone(path, name)
                gate.enter(alone)
                try:
                    r = wk.run(path, name, args.timeout)
                finally:
                    gate.leave(alone)
                report.add(r)
        finally:
            if wk is not None:
                wk.close()

    threads = [threading.Thread(target=runner, daemon=True) for _ in range(jobs)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            while t.is_alive():
                t.join(0.5)
    finally:
        for wk in workers:
            if wk.alive():
                wk.kill()
    save_times(args.build, times, [r for r in report.results if not r[0].startswith('unit/')])


def default_jobs():
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    # the tests mostly wait for a server, a client or a screen
    return max(2, 2 * cpus)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--sanitized', action='store_true')
    ap.add_argument('-k', dest='pattern', default='',
                    help='only tests whose "file:test" name matches this regex '
                         '(unit programs are then skipped)')
    ap.add_argument('-j', dest='jobs', type=int, default=0,
                    help='tests at a time (0: twice the CPUs; 1: in this process)')
    ap.add_argument('--timeout', type=int, default=600,
                    help='seconds one integration test may take when run with -j')
    ap.add_argument('--no-unit', action='store_true')
    ap.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    jobs = args.jobs if args.jobs > 0 else default_jobs()
    units = [] if args.no_unit or args.pattern else unit_programs(args.build)
    setup_harness(args.build, args.sanitized)
    items, broken = discover(args.pattern)
    report = Report()
    for r in broken:
        report.add(r)
    if jobs == 1:
        run_serial(args, report, units, items)
    else:
        run_parallel(args, report, units, items, jobs)
    results = report.results
    passed = sum(1 for r in results if r[1])
    failed = len(results) - passed
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed or not results else 0)


if __name__ == '__main__':
    main()
