#!/usr/bin/python3
"""Measurement driver for bench/run.sh (standard library only; run as root).

run.sh calls this inside a private mount namespace after it has built the bundles. It forks:
the parent becomes a child subreaper and reaps every orphaned container process (this host's
pid 1 reaps orphans only lazily, and runc/crun/roost `run -d` and `create` leave their init to be
reparented); the child (the worker) runs the measurements, alternating the runtimes in every
round, and writes the JSON. When the worker is done, any process still reparented to the
reaper is a leak: it is reported and killed.

Configuration comes from the environment (set by run.sh): BENCH_TMP, BENCH_OUT, BENCH_RUNTIMES
("name=path,..."), BENCH_PREFIX, RUNS, WARMUP, SEQ_N, PAR_N, BATCH_ROUNDS, LIST_N, LIST_RUNS,
PAUSE_MS, QUICK, BENCH_ROOST_COMMIT, BENCH_ROOST_SRC. With --rescue it only deletes whatever
the runtimes list in their roots.
"""
import ctypes
import datetime
import gc
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
import traceback

PR_SET_CHILD_SUBREAPER = 36


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


class Runtime:
    def __init__(self, name, path, tmp):
        self.name = name
        self.path = path
        self.root = os.path.join(tmp, "state", name)
        os.makedirs(self.root, exist_ok=True)
        self.log_path = os.path.join(tmp, "logs", name + ".err")
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.log = open(self.log_path, "ab", buffering=0)
        self.live = set()  # ids that may exist in this runtime's root

    def argv(self, *args):
        return [self.path, "--root", self.root, *args]


class CommandFailed(Exception):
    pass


class _Alarm(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Alarm()


def wait_blocking(p, timeout, what):
    """A blocking waitpid (Popen.wait(timeout=...) polls with sleeps of up to 50 ms, which would
    be measured), with a timeout from an interval timer."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return p.wait()
    except _Alarm:
        p.kill()
        p.wait()
        raise CommandFailed(f"{what}: timed out after {timeout}s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class Bench:
    def __init__(self):
        e = os.environ
        self.tmp = e["BENCH_TMP"]
        self.out = e["BENCH_OUT"]
        self.prefix = e.get("BENCH_PREFIX", "rb")
        self.quick = e.get("QUICK", "") not in ("", "0")
        self.runs = env_int("RUNS", 5 if self.quick else 30)
        self.warmup = env_int("WARMUP", 1 if self.quick else 3)
        self.seq_n = env_int("SEQ_N", 20 if self.quick else 100)
        self.par_n = env_int("PAR_N", 20)
        self.batch_rounds = env_int("BATCH_ROUNDS", 1 if self.quick else 3)
        self.list_n = env_int("LIST_N", 100 if self.quick else 1000)
        self.list_runs = env_int("LIST_RUNS", 5 if self.quick else 30)
        self.bundle = os.path.join(self.tmp, "bundle")  # process: true
        self.bundle_sleep = os.path.join(self.tmp, "bundle-sleep")  # process: sleep 1000, same rootfs
        self.pause = env_int("PAUSE_MS", 50) / 1000.0
        self.rts = []
        for item in e["BENCH_RUNTIMES"].split(","):
            name, path = item.split("=", 1)
            self.rts.append(Runtime(name, path, self.tmp))
        self.results = {}
        self.info = {}
        self.notes = []
        self.counter = 0

    def turns(self, rnd):
        """The runtimes' turns in a round (roost, crun, runc), each after a fixed idle pause
        (PAUSE_MS, untimed). The first write of a pid into a v1 cgroup's cgroup.procs waits for
        an RCU grace period unless another such write happened a few ms before; without the
        pause a runtime's create or exec would be fast or slow depending on how long the runtime
        before it took after its own cgroup write. With it every turn starts from the same state."""
        for rt in self.rts:
            if self.pause:
                time.sleep(self.pause)
            yield rt

    # ---- running commands -------------------------------------------------------------

    def new_id(self, tag, rt):
        self.counter += 1
        return f"{self.prefix}-{tag}-{rt.name}-{self.counter}"

    def spawn(self, rt, *args):
        """Start a runtime command (stdio: /dev/null in, /dev/null out, the runtime's log for
        stderr: a container started by it may keep these open, so no pipes)."""
        return subprocess.Popen(rt.argv(*args), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=rt.log, close_fds=True)

    def check(self, rt, args, rc, mark):
        if rc != 0:
            rt.log.flush()
            with open(rt.log_path, "rb") as f:
                f.seek(mark)
                err = f.read().decode(errors="replace").strip()
            raise CommandFailed(f"{rt.name} {' '.join(args)}: exit {rc}: {err[-2000:]}")

    def timed(self, rt, *args, timeout=120):
        """Run one runtime command; return its wall time in ms (CLOCK_MONOTONIC around
        fork+exec+wait, the same harness cost for every runtime)."""
        mark = os.fstat(rt.log.fileno()).st_size
        t0 = time.perf_counter_ns()
        p = self.spawn(rt, *args)
        rc = wait_blocking(p, timeout, f"{rt.name} {' '.join(args)}")
        t1 = time.perf_counter_ns()
        self.check(rt, args, rc, mark)
        return (t1 - t0) / 1e6

    def quiet(self, rt, *args):
        """Run a command untimed, ignoring failure (clean-up)."""
        try:
            subprocess.run(rt.argv(*args), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
        except subprocess.TimeoutExpired:
            pass

    def delete_all(self, rt, ids):
        t0 = time.perf_counter_ns()
        for cid in ids:
            self.timed(rt, "delete", "--force", cid)
            rt.live.discard(cid)
        return (time.perf_counter_ns() - t0) / 1e6

    @staticmethod
    def wait_exited(pid, timeout=10.0):
        """Wait until a container's init has exited (gone, or a zombie about to be reaped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
                if state in ("Z", "X"):
                    return
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(0.0002)
        raise CommandFailed(f"init {pid} still running after {timeout}s")

    # ---- statistics ---------------------------------------------------------------------

    @staticmethod
    def summary(samples):
        s = sorted(samples)
        n = len(s)
        if n == 1:
            q = [s[0]] * 9
            qq = [s[0]] * 3
        else:
            q = statistics.quantiles(s, n=10, method="inclusive")
            qq = statistics.quantiles(s, n=4, method="inclusive")
        r = lambda x: round(x, 3)
        return {"median": r(statistics.median(s)), "p10": r(q[0]), "p90": r(q[8]),
                "q1": r(qq[0]), "q3": r(qq[2]), "min": r(s[0]), "max": r(s[-1]),
                "mean": r(statistics.fmean(s)), "n": n, "samples": [r(x) for x in samples]}

    def record(self, key, label, unit, samples_by_rt, extra=None):
        entry = {"label": label, "unit": unit}
        for rt in self.rts:
            entry[rt.name] = self.summary(samples_by_rt[rt.name])
        if extra:
            entry.update(extra)
        self.results[key] = entry
        meds = "  ".join(f"{rt.name} {entry[rt.name]['median']:.2f}" for rt in self.rts)
        print(f"  {label}: {meds} ({unit}, median)", file=sys.stderr, flush=True)

    # ---- the measures ---------------------------------------------------------------------

    def preflight(self):
        """Each runtime must run the bundle here (crun 1.8 fails on this hybrid host unless
        cgroup2 is hidden); and which v1 hierarchies does its `create` make a cgroup in?"""
        found = {}
        for rt in self.rts:
            cid = self.new_id("check", rt)
            rt.live.add(cid)
            try:
                self.timed(rt, "run", "--bundle", self.bundle, cid)
            except CommandFailed as e:
                raise CommandFailed(f"{rt.name} cannot run the bundle in this private mount namespace "
                                    f"(cgroup2 hidden), nothing measured: {e}")
            rt.live.discard(cid)
            cid = self.new_id("check", rt)
            rt.live.add(cid)
            self.timed(rt, "create", "--bundle", self.bundle, cid)
            dirs = []
            for ctl in sorted(os.listdir("/sys/fs/cgroup")):
                top = os.path.join("/sys/fs/cgroup", ctl)
                if not os.path.ismount(top):
                    continue  # the hidden unified mount point, or not a hierarchy
                for dirpath, dirnames, _ in os.walk(top):
                    if cid in dirnames:
                        dirs.append(ctl)
                        break
                    if dirpath.count("/") > 6:
                        dirnames[:] = []
            self.delete_all(rt, [cid])
            found[rt.name] = dirs
            print(f"  {rt.name}: runs the bundle; cgroups per container: {', '.join(dirs) or 'none'}", file=sys.stderr, flush=True)
        self.info["cgroup_hierarchies_per_container"] = found
        without = [n for n, d in found.items() if not d]
        with_ = [n for n, d in found.items() if d]
        if without:
            self.notes.append(f"{', '.join(with_)} create v1 cgroups for each container; {', '.join(without)} "
                              f"not (yet), so {'it does' if len(without) == 1 else 'they do'} less work per container.")
        else:
            self.notes.append("All three create a v1 cgroup per container (in the hierarchies listed under "
                              "info.cgroup_hierarchies_per_container).")

    def harness_baseline(self):
        """Cost of the timer itself: spawning /bin/true the same way."""
        samples = []
        for i in range(self.warmup + self.runs):
            t0 = time.perf_counter_ns()
            subprocess.Popen(["/bin/true"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL).wait()
            t = (time.perf_counter_ns() - t0) / 1e6
            if i >= self.warmup:
                samples.append(t)
        self.info["harness_spawn_true_ms"] = self.summary(samples)
        del self.info["harness_spawn_true_ms"]["samples"]

    def m_run(self):
        samples = {rt.name: [] for rt in self.rts}
        for i in range(self.warmup + self.runs):
            for rt in self.turns(i):
                cid = self.new_id("run", rt)
                rt.live.add(cid)
                t = self.timed(rt, "run", "--bundle", self.bundle, cid)
                rt.live.discard(cid)
                if i >= self.warmup:
                    samples[rt.name].append(t)
        self.record("run", "run (true)", "ms", samples)

    def m_create_start_delete(self):
        parts = ("create", "start", "delete")
        samples = {rt.name: [] for rt in self.rts}
        comp = {p: {rt.name: [] for rt in self.rts} for p in parts}
        pidfile = os.path.join(self.tmp, "csd.pid")
        for i in range(self.warmup + self.runs):
            for rt in self.turns(i):
                cid = self.new_id("csd", rt)
                rt.live.add(cid)
                if os.path.exists(pidfile):
                    os.unlink(pidfile)
                tc = self.timed(rt, "create", "--bundle", self.bundle, "--pid-file", pidfile, cid)
                with open(pidfile) as f:
                    pid = int(f.read().strip())
                ts = self.timed(rt, "start", cid)
                self.wait_exited(pid)  # untimed: `true` exits at once; then a plain delete
                td = self.timed(rt, "delete", cid)
                rt.live.discard(cid)
                if i >= self.warmup:
                    samples[rt.name].append(tc + ts + td)
                    for p, t in zip(parts, (tc, ts, td)):
                        comp[p][rt.name].append(t)
        self.record("create_start_delete", "create+start+delete (true)", "ms", samples)
        for p in parts:
            self.record(f"csd_{p}", f"  of which {p}", "ms", comp[p])

    def m_exec(self):
        samples = {rt.name: [] for rt in self.rts}
        ids = {}
        try:
            for rt in self.rts:
                cid = self.new_id("exec", rt)
                rt.live.add(cid)
                self.timed(rt, "run", "-d", "--bundle", self.bundle_sleep, cid)
                ids[rt.name] = cid
            for i in range(self.warmup + self.runs):
                for rt in self.turns(i):
                    t = self.timed(rt, "exec", ids[rt.name], "true")
                    if i >= self.warmup:
                        samples[rt.name].append(t)
        finally:
            for rt in self.rts:
                if rt.name in ids:
                    self.delete_all(rt, [ids[rt.name]])
        self.record("exec", "exec (true) into a running container", "ms", samples)

    def m_rss(self):
        samples = {rt.name: [] for rt in self.rts}
        out = os.path.join(self.tmp, "rss.txt")
        for i in range(self.warmup + self.runs):
            for rt in self.turns(i):
                cid = self.new_id("rss", rt)
                rt.live.add(cid)
                args = ["run", "--bundle", self.bundle, cid]
                p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", out, *rt.argv(*args)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=rt.log)
                rc = wait_blocking(p, 120, f"{rt.name} run (under /usr/bin/time)")
                rt.live.discard(cid)
                if rc != 0:
                    raise CommandFailed(f"{rt.name} run (under /usr/bin/time): exit {rc}")
                with open(out) as f:
                    kb = int(f.read().strip().splitlines()[-1])
                if i >= self.warmup:
                    samples[rt.name].append(kb / 1024.0)
        self.record("run_peak_rss", "peak RSS of `run` (true)", "MiB", samples)

    def m_sequential(self):
        samples = {rt.name: [] for rt in self.rts}
        deletes = {rt.name: [] for rt in self.rts}
        warm_n = min(5, self.seq_n)
        for rnd in range(1 + self.batch_rounds):  # round 0: a short warm-up batch
            n = warm_n if rnd == 0 else self.seq_n
            for rt in self.turns(rnd):
                ids = []
                t0 = time.perf_counter_ns()
                for _ in range(n):
                    cid = self.new_id("seq", rt)
                    rt.live.add(cid)
                    ids.append(cid)
                    self.timed(rt, "run", "-d", "--bundle", self.bundle_sleep, cid)
                t = (time.perf_counter_ns() - t0) / 1e6
                td = self.delete_all(rt, ids)
                if rnd > 0:
                    samples[rt.name].append(t)
                    deletes[rt.name].append(td)
        self.record("seq_run_d", f"{self.seq_n} x `run -d` one after another", "ms", samples)
        self.record("seq_delete", f"  then {self.seq_n} x `delete --force` (info)", "ms", deletes)

    def m_parallel(self):
        samples = {rt.name: [] for rt in self.rts}
        for rnd in range(1 + self.batch_rounds):  # round 0: warm-up
            for rt in self.turns(rnd):
                ids = [self.new_id("par", rt) for _ in range(self.par_n)]
                rt.live.update(ids)
                mark = os.fstat(rt.log.fileno()).st_size
                t0 = time.perf_counter_ns()
                procs = [self.spawn(rt, "run", "-d", "--bundle", self.bundle_sleep, cid) for cid in ids]
                rcs = [wait_blocking(p, 300, f"{rt.name} run -d (parallel)") for p in procs]
                t = (time.perf_counter_ns() - t0) / 1e6
                try:
                    for rc in rcs:
                        self.check(rt, ["run", "-d", "(parallel)"], rc, mark)
                finally:
                    self.delete_all(rt, ids)
                if rnd > 0:
                    samples[rt.name].append(t)
        self.record("par_run_d", f"{self.par_n} x `run -d` at once (batch)", "ms", samples)

    def m_list(self):
        """All runtimes' roots are filled at once, so the list calls alternate too."""
        samples = {rt.name: [] for rt in self.rts}
        ids = {rt.name: [] for rt in self.rts}
        fill = {}
        try:
            for rt in self.rts:
                t0 = time.perf_counter_ns()
                for _ in range(self.list_n):
                    cid = self.new_id("list", rt)
                    rt.live.add(cid)
                    ids[rt.name].append(cid)
                    self.timed(rt, "create", "--bundle", self.bundle, cid)
                fill[rt.name] = round((time.perf_counter_ns() - t0) / 1e9, 2)
                print(f"    {rt.name}: created {self.list_n} in {fill[rt.name]} s", file=sys.stderr, flush=True)
            for i in range(self.warmup + self.list_runs):
                for rt in self.turns(i):
                    t = self.timed(rt, "list")
                    if i >= self.warmup:
                        samples[rt.name].append(t)
        finally:
            drain = {}
            for rt in self.rts:
                if ids[rt.name]:
                    drain[rt.name] = round(self.delete_all(rt, [c for c in ids[rt.name] if c in rt.live]) / 1e3, 2)
        self.info["list_fill_create_s"] = fill
        self.info["list_drain_delete_force_s"] = drain
        self.record("list", f"list with {self.list_n} created containers", "ms", samples,
                    {"containers": self.list_n})

    # ---- driver ---------------------------------------------------------------------------

    def cleanup(self):
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second ^C must not stop the clean-up half-way
        for rt in self.rts:
            for cid in sorted(rt.live):
                self.quiet(rt, "delete", "--force", cid)
            rt.live.clear()
            # anything else the runtime still lists in our root
            try:
                out = subprocess.run(rt.argv("list", "-q"), capture_output=True, text=True,
                                     timeout=60).stdout.split()
            except Exception:
                out = []
            for cid in out:
                self.quiet(rt, "delete", "--force", cid)

    def versions(self):
        v = {}
        for rt in self.rts:
            try:
                out = subprocess.run([rt.path, "--version"], capture_output=True, text=True).stdout
            except OSError as e:
                out = str(e)
            v[rt.name] = {"path": os.environ.get("BENCH_ROOST_SRC", rt.path) if rt.name == "roost" else rt.path, "version": out.strip().splitlines()[0] if out.strip() else "?"}
        return v

    def run(self):
        started = time.monotonic()
        load0 = open("/proc/loadavg").read().split()[:3]
        print(f"roost bench: runs={self.runs} warm-up={self.warmup} order={','.join(r.name for r in self.rts)}"
              f" (alternating){' QUICK' if self.quick else ''}; load average {' '.join(load0)}",
              file=sys.stderr, flush=True)
        if float(load0[0]) > 0.7:
            print("  warning: the machine is not idle (load average above 0.7): expect noise", file=sys.stderr, flush=True)
        steps = [self.preflight, self.harness_baseline, self.m_run, self.m_create_start_delete, self.m_exec,
                 self.m_rss, self.m_sequential, self.m_parallel, self.m_list]
        try:
            for step in steps:
                t0 = time.monotonic()
                step()
                self.info.setdefault("step_seconds", {})[step.__name__] = round(time.monotonic() - t0, 1)
        finally:
            self.cleanup()
        self.write(started, load0)
        self.table()

    def write(self, started, load0):
        with open("/proc/meminfo") as f:
            mem = next(l.split()[1] for l in f if l.startswith("MemTotal"))
        cpu = "?"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        rt_names = [r.name for r in self.rts]
        doc = {
            "schema": 1,
            "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration_s": round(time.monotonic() - started, 1),
            "machine": {
                "nproc": os.cpu_count(),
                "cpu": cpu,
                "mem_total_mib": int(mem) // 1024,
                "kernel": platform.release(),
                "cgroups": "v1 hybrid host; the cgroup2 mount /sys/fs/cgroup/unified is unmounted in the "
                           "benchmark's private mount namespace (crun 1.8 fails otherwise), for all runtimes",
                "load_average_start": load0,
                "load_average_end": open("/proc/loadavg").read().split()[:3],
            },
            "runtimes": self.versions(),
            "roost_commit": os.environ.get("BENCH_ROOST_COMMIT", "?"),
            "method": {
                "runs": self.runs,
                "warmup_rounds": self.warmup,
                "quick": self.quick,
                "order": rt_names,
                "alternation": "every round runs each runtime once, in this order (roost, crun, "
                               "runc, roost, crun, runc, ...), each turn after the same idle pause",
                "pause_between_turns_ms": round(self.pause * 1000),
                "timer": "wall time, CLOCK_MONOTONIC (time.perf_counter_ns) around fork+exec+wait of "
                         "the runtime command from one Python process; stdio /dev/null",
                "bundle": "one busybox rootfs (Tests/fixtures/make-rootfs.sh) with `roost spec`'s "
                          "config.json, terminal false, ociVersion 1.0.2 (crun 1.8 rejects 1.3.0); "
                          "process `true`, or `sleep 1000` (second config.json, same rootfs) for "
                          "exec and run -d",
                "create_start_delete": "create, start, then (untimed) wait for the init to exit, then "
                                       "a plain delete; the sum of the three",
                "peak_rss": "/usr/bin/time -f %M around `run`: the largest RSS among the runtime "
                            "process and the children it waited for",
                "batches": f"{self.batch_rounds} round(s) after one warm-up round; sequential: "
                           f"{self.seq_n} `run -d` (sleep 1000) one after another, timing the "
                           f"starts only; parallel: {self.par_n} `run -d` spawned at once, timed "
                           f"until all returned; then `delete --force` each",
                "list": f"{self.list_n} containers `create`d in each runtime's root (all three "
                        f"roots filled at once), then {self.list_runs} alternating `list` calls "
                        f"after {self.warmup} warm-up round(s), then `delete --force` each",
                "statistics": "median; p10/p90 and q1/q3 (inclusive quantiles); all samples kept",
            },
            "info": self.info,
            "notes": [
                "All three get the same spec: new pid, network (loopback up), ipc, uts and mount "
                "namespaces, the default mounts, masked and read-only paths.",
                "Moving the init into its first v1 cgroup (a write to cgroup.procs) waits for an RCU "
                "grace period in the kernel (cgroup_threadgroup_rwsem), ~10 ms here, unless another "
                "such write happened a few ms before (create: ~5 ms back to back, ~15 ms after 30 ms "
                "idle, for roost and crun alike). So every runtime's turn starts after the same "
                f"untimed idle pause ({round(self.pause * 1000)} ms): `create`, `run` and `exec` "
                "times include that kernel wait, as an engine creating one container would see.",
                "crun 1.8 also makes <id>/cgroup.procs in the tmpfs under the hidden cgroup2 mount "
                "point (and cannot remove it); run.sh removes those.",
                "The benchmark process is a child subreaper and reaps container inits (this "
                "host's pid 1 reaps them only lazily).",
            ] + self.notes,
            "results": self.results,
        }
        text = json.dumps(doc, indent=2)
        # arrays of plain values (samples, lists of names) on one line each: small, diff-able data
        text = re.sub(r"\[[^\[\]{}]*\]", lambda m: json.dumps(json.loads(m.group(0))), text)
        os.makedirs(os.path.dirname(self.out), exist_ok=True)
        tmp = self.out + ".tmp"
        with open(tmp, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, self.out)
        print(f"wrote {self.out}", file=sys.stderr, flush=True)

    def table(self):
        names = [r.name for r in self.rts]
        base = names[0]
        others = names[1:]
        head = ["measure", "unit"] + [f"{n} median [p10-p90]" for n in names] + [f"{base}/{o}" for o in others]
        rows = []
        for key, e in self.results.items():
            cells = [e["label"], e["unit"]]
            for n in names:
                s = e[n]
                cells.append(f"{s['median']:.2f} [{s['p10']:.2f}-{s['p90']:.2f}]")
            for o in others:
                cells.append(f"{e[base]['median'] / e[o]['median']:.2f}" if e[o]["median"] else "-")
            rows.append(cells)
        widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
        fmt = lambda r: "  ".join(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i])
                                  for i, c in enumerate(r))
        print()
        print(fmt(head))
        print("  ".join("-" * w for w in widths))
        for r in rows:
            print(fmt(r))
        h = self.info.get("harness_spawn_true_ms", {})
        if h:
            print(f"(harness: spawning /bin/true the same way takes {h['median']:.2f} ms, included in every time;"
                  f" ratio < 1: roost is faster / smaller)")
        print()


def _interrupt(signum, frame):
    raise KeyboardInterrupt()


def children_of(pid):
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
                kids.append((int(d), cmd))
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return kids


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("bench: cannot become a child subreaper", file=sys.stderr)
        return 1
    worker = os.fork()
    if worker == 0:
        rc = 0
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGHUP, _interrupt)
        try:
            gc.disable()  # no collector pauses inside a timed command
            if "--rescue" in sys.argv[1:]:
                Bench().cleanup()
            else:
                Bench().run()
        except KeyboardInterrupt:
            print("bench: interrupted; cleaned up", file=sys.stderr)
            rc = 130
        except CommandFailed as e:
            print(f"bench: FAILED: {e}", file=sys.stderr)
            rc = 1
        except Exception:
            traceback.print_exc()
            rc = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(rc)
    # The reaper: reap orphans until the worker is done (it outlives an interrupted worker).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    status = None
    orphans = 0
    while status is None:
        try:
            pid, st = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid == worker:
            status = st
        else:
            orphans += 1
    rc = os.waitstatus_to_exitcode(status) if status is not None else 1
    left = children_of(os.getpid())
    if left:
        print(f"bench: LEAK: {len(left)} process(es) still running after the benchmark; killing them:",
              file=sys.stderr)
        for pid, cmd in left[:20]:
            print(f"  {pid} {cmd}", file=sys.stderr)
        for pid, _ in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        rc = rc or 3
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    print(f"bench: reaped {orphans} orphaned container process(es); none left running"
          if not left else "bench: leftovers killed", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
