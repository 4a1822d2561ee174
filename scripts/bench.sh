#!/usr/bin/env bash
# Runs the JMH benchmarks of module-bench: Tokio's seven multi-thread runtime workloads (plus one
# extra) on Kyoto and on java.util.concurrent.ForkJoinPool, in one JMH run, then prints
# Kyoto time / ForkJoinPool time per workload. See docs/benchmarks-runtime.md.
#
# Usage:
#   scripts/bench.sh [JMH options]   install Kyoto, build the benchmarks, run them, print ratios
#   scripts/bench.sh --report        only print the ratio table of the last run's JSON
#
# JMH options pass straight through, e.g. a regex to run a subset and shorter iterations:
#   scripts/bench.sh 'yieldMany|pingPong' -wi 2 -i 3
# A regex, if any, comes first. Without one the run is the runtime suite: the 16 benchmarks of
# KyotoRuntimeBench and ForkJoinPoolBench and TimerBench's timers (about 13 minutes, one fork
# each); the jar's other benchmarks (UdpBench, UnixStreamBench, ChannelBench, ...) run only when
# a regex names them.
#
# module-bench is built in the reactor with the modules it uses (-am), so the benchmarks always
# measure this checkout and nothing is installed into ~/.m2. Do not let it run while another
# build of this checkout is running.
set -euo pipefail
cd "$(dirname "$0")/.."
# Kyoto needs JDK 25; the checkout's one rule finds it and puts it first on the PATH.
. scripts/lib/java-home.sh

result=module-bench/target/jmh-result.json

if [ "${1:-}" != "--report" ]; then
  ./mvnw -B -q -P bench -pl module-bench -am package -DskipTests
  if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- 'dev\.kyoto\.bench\.(KyotoRuntimeBench|ForkJoinPoolBench|TimerBench)\.' "$@"
  fi
  java -jar module-bench/target/benchmarks.jar -rf json -rff "$result" "$@"
fi

python3 - "$result" <<'PY'
import json, math, sys

rows = {}
unit = None
timers = {}
for r in json.load(open(sys.argv[1])):
    cls, method = r["benchmark"].rsplit(".", 2)[-2:]
    m = r["primaryMetric"]
    if cls == "TimerBench":
        side, workload = ("Kyoto", method[5:]) if method.startswith("kyoto") else ("JDK", method[3:])
        timers.setdefault((workload, r.get("params", {}).get("tasks", "?")), {})[side] = m["score"]
        continue
    unit = m["scoreUnit"]
    try:
        err = float(m["scoreError"])  # "NaN" (a string) when there was a single iteration
    except (TypeError, ValueError):
        err = 0.0
    err = 0.0 if math.isnan(err) else err
    rows.setdefault(method, {})[cls] = (m["score"], err)

order = ["spawnManyLocal", "spawnManyRemoteIdle", "spawnManyRemoteBusy1", "spawnManyRemoteBusy2",
         "pingPong", "yieldMany", "chainedSpawn", "spawnManyLocalOnWorker"]
methods = [m for m in order if m in rows] + sorted(m for m in rows if m not in order)

def fmt(v):
    return "%.1f ± %.1f" % v if v else "failed / not run"

print()
print("%-24s %24s %24s %16s" % ("workload (" + (unit or "?") + ")", "Kyoto", "ForkJoinPool", "Kyoto / FJP"))
for name in methods:
    k = rows[name].get("KyotoRuntimeBench")
    f = rows[name].get("ForkJoinPoolBench")
    if k and f:
        ratio = k[0] / f[0]
        # First-order propagation of the two 99.9 % half-widths (they are not independent samples
        # of one quantity, so read it as a rough band).
        rel = math.hypot(k[1] / k[0], f[1] / f[0])
        r = "%.2f ± %.2f" % (ratio, ratio * rel)
    else:
        r = "n/a"
    print("%-24s %24s %24s %16s" % (name, fmt(k), fmt(f), r))
print("\nRatio < 1: Kyoto is faster; > 1: Kyoto is slower. Errors are JMH's 99.9 % confidence half-widths.")
if timers:
    print()
    print("%-24s %6s %14s %14s %12s" % ("timers (ns/op)", "tasks", "Kyoto", "JDK STPE", "Kyoto / JDK"))
    for (workload, tasks), v in sorted(timers.items()):
        if "Kyoto" in v and "JDK" in v:
            print("%-24s %6s %14.1f %14.1f %12.3f" % (workload, tasks, v["Kyoto"], v["JDK"], v["Kyoto"] / v["JDK"]))
PY
