#!/usr/bin/env python3
"""Where each server's CPU goes per round trip, from `scripts/netbench --profile SCENARIO`.

Reads each server's perf samples (`perf script`; a JVM's compiled code is named through the
/tmp/perf-PID.map it wrote as it exited) and the load generator's count of operations in the same
run, and prints, side by side:

- CPU per operation in the samples, split into the kernel's and user space's;
- time per operation in the paths that tell io_uring, epoll and the TCP stack apart, each counted
  once per sample wherever it appears on the stack (so a path includes what it calls);
- each server's own hottest functions, by the samples that end in them.

A sample stands for its period of CPU time (cpu-clock), so a figure is nanoseconds of CPU per
operation (per round trip in the ping-pong scenarios). The sampling covers the middle of the run,
so its operations are the run's rate times the sampled seconds. The JIT's compiler threads are
counted apart: a method recompiled during the window says nothing of the serving path's cost.
"""
import collections
import json
import subprocess
import sys

PATHS = [
    ("io_uring_enter", "__do_sys_io_uring_enter"),
    ("  submitting", "io_submit_sqes"),
    ("  waiting", "io_cqring_wait"),
    ("  send (ring)", "io_send"),
    ("  receive (ring)", "io_recv"),
    ("  receive armed on a poll", "io_arm_apoll"),
    ("  task work (cooperative)", "tctx_task_work_run"),
    ("  task work (deferred)", "__io_run_local_work"),
    ("  poll completions", "io_poll_task_func"),
    ("  spinning on the ring's lock", "mutex_spin_on_owner"),
    ("epoll_wait", "do_epoll_wait"),
    ("read / recv", "ksys_read"),
    ("recvfrom", "__sys_recvfrom"),
    ("write", "ksys_write"),
    ("sendto / sendmsg", "__sys_sendto"),
    ("futex", "__x64_sys_futex"),
    ("TCP send", "tcp_sendmsg"),
    ("TCP receive", "tcp_recvmsg"),
    ("softirq (loopback delivery)", "handle_softirqs"),
    ("scheduler", "__schedule"),
]


def samples(data):
    """Yields (thread name, period, frames) per sample; frames run from the leaf up, each (symbol, in kernel)."""
    out = subprocess.run(["perf", "script", "-i", data, "-F", "comm,period,ip,sym,dso"],
                         capture_output=True, text=True, check=True).stdout
    comm, period, frames = None, None, []
    for line in out.splitlines():
        if not line.strip():
            if period is not None:
                yield comm, period, frames
            comm, period, frames = None, None, []
        elif period is None:
            # The thread's name may hold spaces ("C2 CompilerThre"); the period is the last field.
            comm, _, number = line.strip().rpartition(" ")
            period = int(number)
        else:
            parts = line.split(None, 1)
            rest = parts[1] if len(parts) > 1 else ""
            dso = rest[rest.rfind("(") + 1:rest.rfind(")")] if "(" in rest else ""
            sym = rest[:rest.rfind("(")].strip() if "(" in rest else rest
            frames.append((sym.split("+0x")[0], "kernel.kallsyms" in dso))
    if period is not None:
        yield comm, period, frames


def profile(meta):
    run = meta["run"]
    ops = run["ops_per_s"] * meta["seconds"]
    total = kernel = compiler = 0
    paths = collections.Counter()
    leaves = collections.Counter()
    for comm, period, frames in samples(meta["data"]):
        if not frames:
            continue
        if "CompilerThre" in comm:
            compiler += period
            continue
        total += period
        if frames[0][1]:
            kernel += period
        names = {f[0] for f in frames}
        for _, sym in PATHS:
            if sym in names:
                paths[sym] += period
        leaves[("[k] " if frames[0][1] else "") + frames[0][0]] += period
    per = lambda ns: ns / ops if ops else float("nan")
    return {"server": meta["server"], "ops_per_s": run["ops_per_s"], "total": per(total),
            "kernel": per(kernel), "user": per(total - kernel), "compiler": per(compiler),
            "paths": {k: per(v) for k, v in paths.items()},
            "leaves": [(k, per(v)) for k, v in leaves.most_common(15)]}


def main(paths):
    ps = [profile(json.load(open(p))) for p in paths]
    if not ps:
        print("no server was profiled")
        return
    width = max(14, *(len(p["server"]) for p in ps))
    head = "".join(f"{p['server']:>{width}}" for p in ps)
    print(f"{'ns of CPU per operation':32}{head}")
    print(f"{'operations/s (under perf)':32}" + "".join(f"{p['ops_per_s']:>{width}.0f}" for p in ps))
    for label, key in (("sampled CPU, serving threads", "total"), ("  in the kernel", "kernel"),
                       ("  in user space", "user"), ("JIT compiler threads", "compiler")):
        print(f"{label:32}" + "".join(f"{p[key]:>{width}.0f}" for p in ps))
    for label, sym in PATHS:
        if any(p["paths"].get(sym, 0) >= 1 for p in ps):
            print(f"{label:32}" + "".join(f"{p['paths'].get(sym, 0):>{width}.0f}" for p in ps))
    for p in ps:
        print(f"\n{p['server']}: hottest functions, ns per operation in the function itself")
        for name, ns in p["leaves"]:
            print(f"  {ns:7.0f}  {name[:110]}")


if __name__ == "__main__":
    main(sys.argv[1:])
