#!/usr/bin/env bash
# bench/run.sh: roost against crun and runc, side by side, on one busybox bundle (as root).
#
#   bench/run.sh            the full run (~10 min on 2 cores): 30 runs per measure, 1,000-container list
#   QUICK=1 bench/run.sh    a try-out (~1 min): 5 runs, 20 sequential, 100-container list
#
# Knobs (environment): RUNS (30), WARMUP (3), SEQ_N (100), PAR_N (20), BATCH_ROUNDS (3),
# LIST_N (1000), LIST_RUNS (30), PAUSE_MS (50), ROOST / CRUN / RUNC (binaries), OUT (the JSON;
# default bench/results/latest.json, or bench/results/quick.json with QUICK=1).
#
# Every measure runs each runtime once per round, alternating (roost, crun, runc, roost, ...),
# after warm-up rounds, and each runtime's turn starts after the same idle pause (PAUSE_MS):
# joining a v1 cgroup waits for an RCU grace period unless another cgroup join happened just
# before, so without it a runtime's time would depend on how long the previous one took. Each
# runtime has its own --root under a temp dir. The measuring is in bench/bench.py
# (standard-library Python: monotonic timer, statistics, JSON).
#
# crun 1.8 fails on this cgroup v1 "hybrid" host unless /sys/fs/cgroup/unified is hidden, so the
# whole benchmark (all three runtimes alike) runs in a private mount namespace where it is
# unmounted. At the end nothing may be left: no container, process, mount, cgroup or state dir.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
PY=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }
trap 'echo "bench: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

# ---- inside the private mount namespace ---------------------------------------------------
# Hide cgroup2, run the driver (it checks first that each runtime runs the bundle here), then
# remove what crun leaves in the tmpfs under the hidden mount: crun 1.8 still treats
# /sys/fs/cgroup/unified as the hybrid cgroup2 tree, makes <id>/ there and writes a regular
# cgroup.procs file into it, which its delete cannot rmdir. Nobody else sees that directory.
if [[ "${1:-}" == --inner ]]; then
    trap : INT TERM HUP  # outlive ^C: the driver cleans up, then this removes crun's directories
    if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
        umount /sys/fs/cgroup/unified
    fi
    rc=0
    if [[ ${2:-} == rescue ]]; then
        "$PY" "$here/bench.py" --rescue || rc=$?
    else
        "$PY" "$here/bench.py" || rc=$?
    fi
    if [[ -d /sys/fs/cgroup/unified ]] && ! mountpoint -q /sys/fs/cgroup/unified \
        && [[ $(stat -f -c %T /sys/fs/cgroup/unified) == tmpfs ]]; then
        n=0
        for d in /sys/fs/cgroup/unified/"$BENCH_PREFIX"-*; do
            [[ -d $d ]] || continue
            rm -f "$d/cgroup.procs" && rmdir "$d" && n=$((n + 1)) || echo "bench: LEAK: cannot remove $d" >&2
        done
        echo "bench: removed $n directories crun left in the tmpfs under the hidden /sys/fs/cgroup/unified" >&2
    fi
    exit "$rc"
fi

# ---- outside: set up, run inside a private mount namespace, check that nothing is left ----
[[ $(id -u) == 0 ]] || die "run as root"
SECONDS=0
QUICK=${QUICK:-0}
if [[ $QUICK != 0 ]]; then
    export RUNS=${RUNS:-5} WARMUP=${WARMUP:-1} SEQ_N=${SEQ_N:-20} BATCH_ROUNDS=${BATCH_ROUNDS:-1}
    export LIST_N=${LIST_N:-100} LIST_RUNS=${LIST_RUNS:-5}
    OUT=${OUT:-$here/results/quick.json}
else
    export RUNS=${RUNS:-30} WARMUP=${WARMUP:-3} SEQ_N=${SEQ_N:-100} BATCH_ROUNDS=${BATCH_ROUNDS:-3}
    export LIST_N=${LIST_N:-1000} LIST_RUNS=${LIST_RUNS:-30}
    OUT=${OUT:-$here/results/latest.json}
fi
export PAR_N=${PAR_N:-20} QUICK
ROOST=${ROOST:-$repo/.build/release/roost}
CRUN=${CRUN:-/usr/bin/crun}
RUNC=${RUNC:-/usr/sbin/runc}
ROOTFS=${ROOTFS:-$repo/.build/fixtures/rootfs}

[[ -x $ROOST ]] || die "no roost binary at $ROOST (make build)"
[[ -x $CRUN ]] || die "no crun at $CRUN (apt-get install crun)"
[[ -x $RUNC ]] || die "no runc at $RUNC (apt-get install runc)"
[[ -x /usr/bin/time ]] || die "no /usr/bin/time (apt-get install time)"
[[ -x $PY ]] || die "no $PY (apt-get install python3)"
command -v unshare >/dev/null || die "no unshare (util-linux)"
[[ -x $ROOTFS/bin/busybox ]] || die "no busybox rootfs at $ROOTFS (make rootfs)"

BENCH_TMP=$(mktemp -d /tmp/bench-XXXXXX)
BENCH_PREFIX=rb$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
export BENCH_TMP BENCH_PREFIX BENCH_OUT=$OUT BENCH_ROOST_SRC=$ROOST

leaks=0
check_and_clean() {
    set +e
    trap - ERR
    # A container left in a state root (the driver died?): delete it, in the same kind of namespace.
    if [[ -d $BENCH_TMP/state ]] && [[ -n "$(find "$BENCH_TMP/state" -mindepth 2 -maxdepth 2 2>/dev/null)" ]]; then
        echo "bench: LEAK: containers left in $BENCH_TMP/state; deleting them" >&2
        leaks=1
        unshare -m --propagation private "$here/run.sh" --inner rescue
    fi
    local p m c
    p=$(ps -eo pid=,args= | grep -F -e "$BENCH_TMP" -e "$BENCH_PREFIX" | grep -v -e grep -e "run.sh" || true)
    if [[ -n $p ]]; then echo "bench: LEAK: processes left:" >&2; echo "$p" >&2; leaks=1; fi
    m=$(grep -F "$BENCH_TMP" /proc/self/mountinfo || true)
    if [[ -n $m ]]; then echo "bench: LEAK: mounts left:" >&2; echo "$m" >&2; leaks=1; fi
    c=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "$BENCH_PREFIX*" 2>/dev/null)
    if [[ -n $c ]]; then
        echo "bench: LEAK: cgroups left (removing):" >&2; echo "$c" >&2; leaks=1
        echo "$c" | sort -r | xargs -r rmdir 2>/dev/null
    fi
    if [[ -z $p && -z $m ]]; then
        rm -rf "$BENCH_TMP"
    else
        echo "bench: kept $BENCH_TMP because something still uses it" >&2
    fi
    set -e
}
trap check_and_clean EXIT

# The roost binary is copied, so that a rebuild during the run does not change it half-way.
mkdir -p "$BENCH_TMP/bin"
cp "$ROOST" "$BENCH_TMP/bin/roost"
export BENCH_RUNTIMES="roost=$BENCH_TMP/bin/roost,crun=$CRUN,runc=$RUNC"
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "?")
if ! git -C "$repo" --no-optional-locks diff --quiet HEAD -- Sources Package.swift 2>/dev/null; then
    commit="$commit+uncommitted-changes"
fi
export BENCH_ROOST_COMMIT="$commit binary-sha256:$(sha256sum "$ROOST" | cut -c1-16) built $(date -u -r "$ROOST" +%Y-%m-%dT%H:%M:%SZ)"

# One bundle: the fixture rootfs and `roost spec`, terminal false, process `true`; a second
# config.json on the same rootfs runs `sleep 1000` (for exec and run -d).
mkdir -p "$BENCH_TMP/bundle" "$BENCH_TMP/bundle-sleep"
cp -a "$ROOTFS" "$BENCH_TMP/bundle/rootfs"
(cd "$BENCH_TMP/bundle" && "$BENCH_TMP/bin/roost" spec) || die "$ROOST spec failed"
"$PY" - "$BENCH_TMP" <<'EOF'
import json, os, sys
tmp = sys.argv[1]
path = os.path.join(tmp, "bundle", "config.json")
c = json.load(open(path))
c["ociVersion"] = "1.0.2"          # crun 1.8 refuses "unknown version" 1.3.0; all three take 1.0.2
c["process"]["terminal"] = False
c["process"]["args"] = ["true"]
json.dump(c, open(path, "w"), indent=2)
c["process"]["args"] = ["sleep", "1000"]
c["root"]["path"] = os.path.join(tmp, "bundle", "rootfs")
json.dump(c, open(os.path.join(tmp, "bundle-sleep", "config.json"), "w"), indent=2)
EOF

rc=0
trap 'echo "bench: interrupted; cleaning up" >&2' INT TERM HUP  # wait for the inner run's clean-up
unshare -m --propagation private "$here/run.sh" --inner || rc=$?
check_and_clean
trap - EXIT
echo "bench: finished in ${SECONDS}s (exit $rc); leftovers: $([[ $leaks == 0 ]] && echo none || echo 'SEE ABOVE')" >&2
[[ $leaks == 0 ]] || exit 3
exit "$rc"
