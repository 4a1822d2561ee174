#!/usr/bin/env python3
"""Writes docs/benchmarks.md and its SVG chart from the JSON lines scripts/netbench collected.

Usage: netbench-report.py RESULTS.jsonl OUT.md   (the chart goes beside OUT.md, as OUT-ratios.svg)

Every figure is the median over the rounds of one server in one scenario; a ratio is Kyoto
multi-thread's median over the peer's, oriented so that above 1 means Kyoto is better (more
round trips, MiB or connections per second). The TLS scenarios (issue #19) compare Kyoto's TLS
server with Netty's SslHandler in a section of their own. A run with Kyoto's virtual-thread server
(`--vthreads`, issue #20) compares it, as the reference, with the JDK's own virtual threads and with
Kyoto's task-based server.
"""
import json
import os
import statistics
import sys

SERVERS = {
    "kyoto-mt": "Kyoto, multi-thread (io_uring driver)",
    "kyoto-nio": "Kyoto, multi-thread, selector driver",
    "kyoto-ct": "Kyoto, current-thread",
    "kyoto-heap": "Kyoto, multi-thread, heap buffers",
    "kyoto-spin": "Kyoto, multi-thread, selector driver, 50 µs spin",
    "kyoto-vt": "Kyoto on virtual threads (await)",
    "tokio-mt": "Tokio 1.24, multi-thread",
    "tokio-ct": "Tokio 1.24, current-thread",
    "c-epoll": "C on epoll (the floor)",
    "netty-nio": "Netty 4.2 NIO",
    "netty-epoll": "Netty 4.2 epoll",
    "netty-iouring": "Netty 4.2 io_uring",
    "vthreads": "virtual threads",
    "nio2": "NIO.2 (AsynchronousSocketChannel)",
    "kyoto-tls": "Kyoto, multi-thread, TLS (module-tls)",
    "netty-tls": "Netty 4.2 NIO + SslHandler (JDK)",
    "netty-tls-epoll": "Netty 4.2 epoll + SslHandler (JDK)",
}
TLS_SERVERS = ("kyoto-tls", "netty-tls", "netty-tls-epoll")
SCENARIOS = {
    "pp1": ("1 connection, ping-pong, 64 B", "round trips/s", "ops_per_s"),
    "pp64": ("64 connections, ping-pong, 64 B", "round trips/s", "ops_per_s"),
    "pp1000": ("1,000 connections, ping-pong, 64 B", "round trips/s", "ops_per_s"),
    "stream": ("1 connection, streaming 64 KiB writes (256 KiB in flight)", "MiB/s echoed", "mib_per_s"),
    "connect": ("connection rate: connect, one 64 B round trip, close; 16 at a time", "connections/s", "ops_per_s"),
}
TLS_SCENARIOS = {
    "tls-pp64": ("TLS, 64 connections, ping-pong, 64 B", "round trips/s", "ops_per_s"),
    "tls-stream": ("TLS, 1 connection, streaming 64 KiB writes (256 KiB in flight)", "MiB/s echoed", "mib_per_s"),
    "tls-connect": ("TLS handshakes: connect, full handshake, one 64 B round trip, close_notify, close; 16 at a time",
                    "handshakes/s", "ops_per_s"),
}
KYOTO_TLS, NETTY_TLS = "kyoto-tls", "netty-tls"
KYOTO = "kyoto-mt"
KYOTO_VT = "kyoto-vt"
TOKIO = "tokio-mt"
NETTIES = ("netty-nio", "netty-epoll", "netty-iouring")
COLORS = {"kyoto-mt": "#1f4e79", "kyoto-nio": "#2e75b6", "kyoto-ct": "#7aa6c2", "kyoto-heap": "#a9c7db", "kyoto-spin": "#4f7f9f", "tokio-mt": "#333333",
          "tokio-ct": "#777777", "c-epoll": "#bbbbbb", "netty-nio": "#d1495b", "netty-epoll": "#edae49", "netty-iouring": "#8f5ba8",
          "vthreads": "#00798c", "nio2": "#66a182"}


def load(path):
    machine, runs, unavailable, syscalls, idle = {}, {}, {}, {}, {}
    perf_syscalls = {}
    for line in open(path):
        d = json.loads(line)
        t = d.get("type")
        if t == "machine":
            machine = d
        elif t == "unavailable":
            unavailable[d["server"]] = d["reason"]
        elif t == "syscalls":
            syscalls[d["server"]] = d
        elif t == "syscalls_perf":
            perf_syscalls[d["server"]] = d
        elif t == "idle":
            idle[d["server"]] = d
        elif t == "run":
            runs.setdefault((d["scenario"], d["server"]), []).append(d)
    return machine, runs, unavailable, syscalls, idle, perf_syscalls


def median(xs):
    return statistics.median(xs) if xs else None


def summary(rs, field):
    ok = [r for r in rs if "error" not in r and r.get("ops", 0) > 0]
    if not ok:
        return None
    cpu = [r["server_cpu_s"] / r["ops"] * 1e5 for r in ok if r.get("server_cpu_s", -1) >= 0]
    return {
        "value": median([r[field] for r in ok]),
        "values": [r[field] for r in ok],
        "p50": median([r["p50_us"] for r in ok]),
        "p99": median([r["p99_us"] for r in ok]),
        "p999": median([r["p999_us"] for r in ok]),
        "cpu": median(cpu),
        "client_core": median([r["client_cpu_s"] / r["duration_s"] for r in ok if "client_cpu_s" in r]),
        "errors": sum(r.get("errors", 0) for r in ok),
        "failed": len(rs) - len(ok),
    }


def fmt_num(v):
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:,.1f}" if v >= 10 else f"{v:,.2f}"


def fmt_us(v):
    if v is None:
        return "—"
    return f"{v / 1000:,.2f} ms" if v >= 1000 else f"{v:,.1f} µs"


def rounds_cell(r, errors_are):
    """A table's last cell: every round's value, then the errors and failed runs, if any."""
    notes = []
    if r["errors"]:
        notes.append(f"{r['errors']} {errors_are}")
    if r["failed"]:
        notes.append(f"{r['failed']} failed runs")
    spread = " ".join(fmt_num(v) for v in r["values"])
    return spread + ("; " + ", ".join(notes) if notes else "")


def ratio(a, b):
    return a / b if a and b else None


def cpu_per_unit(table, sc, server):
    """µs of server CPU per round trip or connection; ms per GiB for the stream."""
    r = table.get(sc, {}).get("rows", {}).get(server)
    if not r or r["cpu"] is None:
        return None
    per_op_us = r["cpu"] / 1e5 * 1e6
    if sc in ("stream", "tls-stream"):
        return per_op_us / 1000 * (2**30 / 65536)
    return per_op_us


def bar_checks(table, syscalls, idle):
    """Issue #17's bar: (text, met) pairs for what this run measured."""
    checks = []

    def row(sc, s):
        return table.get(sc, {}).get("rows", {}).get(s)

    def tput(sc, need, peer, label):
        k, p = row(sc, KYOTO), row(sc, peer)
        if k and p:
            r = k["value"] / p["value"]
            checks.append((f"{sc}: Kyoto multi-thread / {label} throughput {r:.2f} (needs ≥ {need:.2f})", r >= need))

    tput("pp64", 1.0, TOKIO, "Tokio multi-thread")
    best = max((s for s in NETTIES if row("pp64", s)), key=lambda s: row("pp64", s)["value"], default=None)
    if best:
        tput("pp64", 1.3, best, f"Netty's best transport ({SERVERS[best]})")
    k = row("pp64", KYOTO)
    if k:
        checks.append((f"pp64: Kyoto multi-thread p99 {fmt_us(k['p99'])} (needs ≤ 2 ms)", k["p99"] <= 2000))
    tput("stream", 1.0, "netty-nio", "Netty NIO")
    tput("stream", 1.0, TOKIO, "Tokio multi-thread")
    tput("pp1000", 1.0, "netty-nio", "Netty NIO")
    tput("connect", 1.0, "netty-nio", "Netty NIO")
    for sc in ("pp1", "pp64"):
        for a, b in (("kyoto-mt", "tokio-mt"), ("kyoto-ct", "tokio-ct")):
            x, y = cpu_per_unit(table, sc, a), cpu_per_unit(table, sc, b)
            if x and y:
                checks.append((f"{sc}: server CPU per round trip, {SERVERS[a]} / {SERVERS[b]} {x / y:.2f} "
                               f"({x:.2f} / {y:.2f} µs; needs ≤ 1.10)", x / y <= 1.1))
    d = syscalls.get(KYOTO)
    if d and d["round_trips"]:
        n = sum(c["calls"] for c in d["calls"].values()) / d["round_trips"]
        checks.append((f"pp64: Kyoto multi-thread system calls per round trip {n:.3f} (needs ≤ 2.15)", n <= 2.15))
    k, n = idle.get(KYOTO), idle.get("netty-nio")
    if k and n and "error" not in k and "error" not in n:
        checks.append((f"idle: Kyoto multi-thread {k['bytes_per_conn']:,.0f} bytes per idle connection, Netty NIO "
                       f"{n['bytes_per_conn']:,.0f} (needs ≤ Netty NIO's)", k["bytes_per_conn"] <= n["bytes_per_conn"]))
    return checks


def uring_bar_checks(table, syscalls):
    """Issue #22's bar for the io_uring driver (Kyoto multi-thread's default where the kernel has it):
    ≤ 1 system call per round trip at 64 connections, ≥ 1.15× the same server on the selector at 64
    and 1,000, ≥ 1.0× Netty's io_uring transport everywhere, server CPU per unit below the selector's."""
    checks = []

    def row(sc, s):
        return table.get(sc, {}).get("rows", {}).get(s)

    n = syscalls_per_round_trip(syscalls, KYOTO)
    if n is not None:
        checks.append((f"pp64: system calls per round trip {n:.3f} (needs ≤ 1.0)", n <= 1.0))
    for sc in ("pp64", "pp1000"):
        k, nio = row(sc, KYOTO), row(sc, "kyoto-nio")
        if k and nio:
            r = k["value"] / nio["value"]
            checks.append((f"{sc}: throughput / Kyoto on the selector {r:.2f} (needs ≥ 1.15)", r >= 1.15))
    for sc in SCENARIOS:
        k, nu = row(sc, KYOTO), row(sc, "netty-iouring")
        if k and nu:
            r = k["value"] / nu["value"]
            checks.append((f"{sc}: throughput / Netty 4.2 io_uring {r:.2f} (needs ≥ 1.00)", r >= 1.0))
    for sc in SCENARIOS:
        a, b = cpu_per_unit(table, sc, KYOTO), cpu_per_unit(table, sc, "kyoto-nio")
        if a and b:
            unit = "ms per GiB" if sc == "stream" else "µs per connection" if sc == "connect" else "µs per round trip"
            checks.append((f"{sc}: server CPU {fmt_num(a)} against the selector's {fmt_num(b)} {unit} "
                           f"({a / b:.2f}; needs < 1.00)", a < b))
    return checks


def syscalls_per_round_trip(syscalls, server):
    d = syscalls.get(server)
    if not d or not d["round_trips"]:
        return None
    if "total" in d:
        return d["total"] / d["round_trips"]
    return sum(c["calls"] for c in d["calls"].values()) / d["round_trips"]


def vthreads_bar_checks(table, syscalls):
    """Issue #20's bar: Kyoto on virtual threads at least 1.2× the JDK's virtual threads at 64 and
    1,000 connections, in at most 2.3 system calls per round trip (counted by perf when the run
    has those counts: strace slows a server until its reads never wait)."""
    checks = []
    for sc in ("pp64", "pp1000"):
        rows = table.get(sc, {}).get("rows", {})
        k, v = rows.get(KYOTO_VT), rows.get("vthreads")
        if k and v:
            r = k["value"] / v["value"]
            checks.append((f"{sc}: Kyoto on virtual threads / the JDK's virtual threads throughput {r:.2f} (needs ≥ 1.20)",
                           r >= 1.2))
    n = syscalls_per_round_trip(syscalls, KYOTO_VT)
    if n is not None:
        checks.append((f"pp64: Kyoto on virtual threads, system calls per round trip {n:.3f} (needs ≤ 2.30)", n <= 2.3))
    return checks


def vthreads_gap(w, table, syscalls):
    """How far the virtual-thread server is from Kyoto's task-based one, in throughput and CPU."""
    cols = [sc for sc in SCENARIOS if sc in table and table[sc]["rows"].get(KYOTO) and table[sc]["rows"].get(KYOTO_VT)]
    if not cols:
        return
    w("## The gap to Kyoto's task-based server")
    w("")
    w("Kyoto on virtual threads over Kyoto's `Async` server (`kyoto echo-server` without `--virtual-threads`), "
      "same runtime, same image: throughput (above 1 is better) and server CPU per unit of work (below 1 is better).")
    w("")
    w("| | " + " | ".join(f"`{sc}`" for sc in cols) + " |")
    w("|---|" + "---:|" * len(cols))
    tp, cpu = [], []
    for sc in cols:
        rows = table[sc]["rows"]
        tp.append(f"{rows[KYOTO_VT]['value'] / rows[KYOTO]['value']:.2f}")
        a, b = cpu_per_unit(table, sc, KYOTO_VT), cpu_per_unit(table, sc, KYOTO)
        cpu.append(f"{a / b:.2f}" if a and b else "—")
    w("| throughput, virtual threads / tasks | " + " | ".join(tp) + " |")
    w("| server CPU per unit, virtual threads / tasks | " + " | ".join(cpu) + " |")
    a, b = syscalls_per_round_trip(syscalls, KYOTO_VT), syscalls_per_round_trip(syscalls, KYOTO)
    if a and b:
        w("")
        w(f"System calls per `pp64` round trip: {a:.3f} on virtual threads, {b:.3f} with tasks (the table at the end "
          "breaks them down).")
    w("")


def perf_syscalls_section(w, perf_syscalls):
    """System calls per round trip counted by perf on the kernel's tracepoints, at full speed."""
    w("## System calls per round trip at full speed (64 connections, ping-pong, 64 B; perf)")
    w("")
    w("`perf stat` on the kernel's system-call tracepoints of the server's process, for the whole of a "
      "64-connection ping-pong run, divided by the round trips the client completed. Unlike `strace` it "
      "does not slow the server, whose reads would then always find their data waiting: the JDK's "
      "virtual threads make a failed read and an `epoll_ctl` per round trip at full speed, and almost "
      "none under `strace`. The bar is checked on these counts.")
    w("")
    cols = [s for s in SERVERS if s in perf_syscalls]
    names = sorted({n for d in perf_syscalls.values() for n in d["calls"]},
                   key=lambda n: -max(d["calls"].get(n, 0) for d in perf_syscalls.values()))
    w("| system call | " + " | ".join(SERVERS[s] for s in cols) + " |")
    w("|---|" + "---:|" * len(cols))
    for n in names:
        cells = [f"{perf_syscalls[s]['calls'].get(n, 0) / perf_syscalls[s]['round_trips']:.3f}" for s in cols]
        if any(float(c) >= 0.001 for c in cells):
            w(f"| {n} | " + " | ".join(cells) + " |")
    w("| all | " + " | ".join(f"**{perf_syscalls[s]['total'] / perf_syscalls[s]['round_trips']:.3f}**" for s in cols) + " |")
    w("| round trips counted | " + " | ".join(f"{perf_syscalls[s]['round_trips']:,}" for s in cols) + " |")
    w("")


def tls_bar_checks(tls_table):
    """Issue #19's bar: Kyoto's TLS server at least Netty NIO + SslHandler's throughput in each TLS
    scenario, for no more server CPU per byte (the scenarios' sizes are fixed, so per round trip,
    per 64 KiB chunk or per handshake is per byte times a constant)."""
    checks = []
    for sc in TLS_SCENARIOS:
        rows = tls_table.get(sc, {}).get("rows", {})
        k, n = rows.get(KYOTO_TLS), rows.get(NETTY_TLS)
        if not (k and n):
            continue
        r = k["value"] / n["value"]
        checks.append((f"{sc}: Kyoto TLS / Netty NIO + SslHandler throughput {r:.2f} (needs ≥ 1.00)", r >= 1.0))
        x, y = cpu_per_unit(tls_table, sc, KYOTO_TLS), cpu_per_unit(tls_table, sc, NETTY_TLS)
        if x and y:
            checks.append((f"{sc}: server CPU per byte, Kyoto TLS / Netty NIO + SslHandler {x / y:.2f} "
                           f"(needs ≤ 1.00)", x / y <= 1.0))
    return checks


def tls_section(w, machine, tls_table, servers, unavailable, tls_agreed):
    """The TLS scenarios: Kyoto's TLS server against Netty's SslHandler, both on the JDK's SSLEngine."""
    w("## TLS (issue #19): Kyoto's module-tls against Netty's SslHandler")
    w("")
    w("TLS 1.3 with TLS_AES_128_GCM_SHA256 only, a self-signed EC P-256 certificate made for the run, both "
      "servers on the JDK's `SSLEngine` (Netty: `SslProvider.JDK`, its default `ImmediateExecutor` for "
      "delegated tasks). The load generator speaks TLS through OpenSSL's libssl "
      f"({machine.get('openssl', '?')}; no certificate check, SNI `localhost`, no session resumption: every "
      "`tls-connect` operation is a full handshake) and checks every echoed byte. Each TLS server is warmed up "
      f"with {machine.get('server_warmup_s', 0):g} s of TLS ping-pong and then "
      f"{machine.get('handshake_warmup_s', 0):g} s of handshakes before anything is measured. "
      f"The first handshake agreed on `{tls_agreed or '?'}`.")
    w("")
    checks = tls_bar_checks(tls_table)
    if checks:
        w("The bar: ≥ 1.0× Netty on all three, at no more server CPU per byte. From this run:")
        w("")
        for text, ok in checks:
            w(f"- {'met' if ok else '**not met**'}: {text}")
        w("")
    for s in servers:
        if s in unavailable:
            w(f"- **{SERVERS[s]}** not measured: `{unavailable[s]}`")
            w("")
    for sc, (title, unit, field) in TLS_SCENARIOS.items():
        if sc not in tls_table:
            continue
        rows = tls_table[sc]["rows"]
        k = rows.get(KYOTO_TLS)
        if sc == "tls-stream":
            cpu_head, cpu_fmt = "server CPU ms per GiB", lambda c: fmt_num(c)
        elif sc == "tls-connect":
            cpu_head, cpu_fmt = "server CPU µs per handshake", lambda c: fmt_num(c)
        else:
            cpu_head, cpu_fmt = "server CPU µs per round trip", lambda c: fmt_num(c)
        w(f"### {title} (`{sc}`)")
        w("")
        w(f"| server | {unit} | Kyoto TLS / it | p50 | p99 | p99.9 | {cpu_head} | Kyoto's CPU / its | "
          "client's share of a core | rounds |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for s in servers:
            r = rows.get(s)
            if not r:
                continue
            c = cpu_per_unit(tls_table, sc, s)
            kc = cpu_per_unit(tls_table, sc, KYOTO_TLS)
            rr = "—" if s == KYOTO_TLS else (f"**{k['value'] / r['value']:.2f}**" if k and r["value"] else "—")
            cr = "—" if s == KYOTO_TLS else (f"**{kc / c:.2f}**" if kc and c else "—")
            w(f"| {SERVERS[s]} | {fmt_num(r['value'])} | {rr} | {fmt_us(r['p50'])} | {fmt_us(r['p99'])} | "
              f"{fmt_us(r['p999'])} | {cpu_fmt(c) if c is not None else '—'} | {cr} | "
              f"{r['client_core'] * 100:.0f} % | {rounds_cell(r, 'connection errors')} |")
        w("")


def svg_chart(table, servers, path, ref=KYOTO):
    """Grouped bars: per scenario, the reference server's throughput (Kyoto multi-thread's) over each peer's."""
    peers = [s for s in servers if s != ref]
    groups = [sc for sc in SCENARIOS if sc in table]
    vals = [table[sc]["ratios"].get(p) for sc in groups for p in peers]
    top = max([v for v in vals if v] + [1.2]) * 1.1
    bar, gap, left, height, plot_top, legend_w = 19, 26, 48, 300, 30, 230
    group_w = bar * len(peers) + gap
    width = max(left + group_w * len(groups) + 20, left + 3 * legend_w)
    legend_h = 18 * ((len(peers) + 2) // 3)
    total_h = plot_top + height + 40 + legend_h + 10

    def y(v):
        return plot_top + height - v / top * height

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_h}" '
           f'viewBox="0 0 {width} {total_h}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{total_h}" fill="#ffffff"/>',
           f'<text x="{left}" y="16" font-size="13" font-weight="bold">{SERVERS[ref]} / peer, '
           f'median throughput (above 1: Kyoto faster)</text>']
    step = 0.5 if top <= 4 else 1.0
    v = 0.0
    while v <= top:
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>')
        v += step
    for i, sc in enumerate(groups):
        x0 = left + gap / 2 + i * group_w
        for j, p in enumerate(peers):
            r = table[sc]["ratios"].get(p)
            if r is None:
                continue
            x = x0 + j * bar
            out.append(f'<rect x="{x:.1f}" y="{y(r):.1f}" width="{bar - 2}" height="{y(0) - y(r):.1f}" '
                       f'fill="{COLORS.get(p, "#999")}"><title>{SERVERS[p]}: {r:.2f}</title></rect>')
            out.append(f'<text x="{x + (bar - 2) / 2:.1f}" y="{y(r) - 3:.1f}" text-anchor="middle" '
                       f'font-size="8">{r:.2f}</text>')
        out.append(f'<text x="{x0 + (group_w - gap) / 2:.1f}" y="{plot_top + height + 16}" '
                   f'text-anchor="middle">{sc}</text>')
    out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y(1):.1f}" y2="{y(1):.1f}" stroke="#000" '
               f'stroke-dasharray="4 3"/>')
    for j, p in enumerate(peers):
        lx = left + (j % 3) * legend_w
        ly = plot_top + height + 36 + (j // 3) * 18
        out.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{COLORS.get(p, "#999")}"/>')
        out.append(f'<text x="{lx + 16}" y="{ly}">{SERVERS[p]}</text>')
    out.append('</svg>')
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    results, out = sys.argv[1], sys.argv[2]
    machine, runs, unavailable, syscalls, idle, perf_syscalls = load(results)
    every = [s for s in SERVERS if any(k[1] == s for k in runs) or s in unavailable or s in idle]
    servers = [s for s in every if s not in TLS_SERVERS]
    tls_servers = [s for s in every if s in TLS_SERVERS]
    tls_table = {}
    for sc, (title, unit, field) in TLS_SCENARIOS.items():
        rows = {s: summary(runs.get((sc, s), []), field) for s in tls_servers}
        if any(rows.values()):
            tls_table[sc] = {"rows": rows}
    # A run of Kyoto's virtual-thread server compares everything with it.
    ref = KYOTO_VT if KYOTO_VT in servers else KYOTO
    table = {}
    for sc, (title, unit, field) in SCENARIOS.items():
        rows = {s: summary(runs.get((sc, s), []), field) for s in servers}
        if not any(rows.values()):
            continue
        k = rows.get(ref)
        ratios = {s: ratio(k["value"], r["value"]) for s, r in rows.items() if k and r and s != ref}
        table[sc] = {"rows": rows, "ratios": ratios}

    chart = os.path.splitext(out)[0] + "-ratios.svg"
    if table:
        svg_chart(table, servers, chart, ref)
    md = []
    w = md.append
    if ref == KYOTO_VT:
        w("# Virtual threads: Kyoto's `await` against the JDK's own virtual-thread sockets")
    elif table or idle or syscalls:
        w("# Network benchmarks: Kyoto against the stacks users would pick instead")
    else:
        w("# TLS benchmarks: Kyoto's module-tls against Netty's SslHandler")
    w("")
    w("Generated by `scripts/netbench` from its own measurements; do not edit by hand. The JMH "
      "benchmarks of the scheduler, timers and channels are in [benchmarks-runtime.md](benchmarks-runtime.md).")
    w("")
    w("## The run")
    w("")
    jdk = machine.get("jdk", ["?"])
    w(f"- Date: {machine.get('date', '?')}; Kyoto at commit `{machine.get('commit', '?')}`; "
      f"mode `{machine.get('mode', '?')}`.")
    w(f"- Machine: {machine.get('cores', '?')} cores ({machine.get('cpu', '?')}), "
      f"{machine.get('mem_gib', '?')} GiB, Linux {machine.get('kernel', '?')}; load average at the start "
      f"{' '.join(machine.get('loadavg_start', []))}.")
    w(f"- JDK: {jdk[0]}; {jdk[-1] if len(jdk) > 1 else ''}.")
    w(f"- Every server: its own JVM, `{machine.get('jvm_flags', '?')}`, {machine.get('workers', '?')} I/O "
      f"threads (event loops, workers, carriers), listening on 127.0.0.1"
      + ("; Kyoto's servers without `--enable-native-access=ALL-UNNAMED` (the tool's image grants "
         "`dev.kyoto.io.uring` native access itself, and a different grant would make the JVM drop "
         "the image's ahead-of-time cache)." if machine.get("kyoto_own_native_access") else "."))
    if machine.get("order") == "scenario-by-scenario":
        w(f"- {machine.get('rounds', '?')} rounds; in each, every server is started (a fresh JVM) and given "
          f"{machine.get('server_warmup_s', '?'):g} s of 64-connection ping-pong to warm the JIT up; then "
          f"each scenario runs on every server in turn, {machine.get('warmup_s', '?'):g} s unmeasured and "
          f"{machine.get('duration_s', '?'):g} s measured, starting one server later each round; then every "
          f"server stops. Figures are the medians over the rounds.")
    else:
        w(f"- {machine.get('rounds', '?')} rounds; in each, every server in turn: start, "
          f"{machine.get('server_warmup_s', '?'):g} s of 64-connection ping-pong to warm the JIT up, then "
          f"each scenario for {machine.get('warmup_s', '?'):g} s unmeasured and {machine.get('duration_s', '?'):g} s "
          f"measured; stop. Figures are the medians over the rounds.")
    w("")
    if table:
        w(f"![{SERVERS[ref]} / peer, median throughput](" + os.path.basename(chart) + ")")
        w("")
    plain_unavailable = {s: r for s, r in unavailable.items() if s not in TLS_SERVERS}
    if plain_unavailable:
        w("Not measured:")
        w("")
        for s, reason in plain_unavailable.items():
            w(f"- **{SERVERS[s]}**: `{reason}`")
        w("")
    if ref == KYOTO_VT:
        w("Kyoto on virtual threads is `kyoto echo-server --virtual-threads`: the multi-thread runtime's workers "
          "drive the reactor, and each connection is a virtual task (`spawnVirtual`) running README.md's loop of "
          "`stream.read(buffer).await()` and `stream.writeAll(buffer).await()`. The JDK's virtual threads are one "
          "virtual thread per connection on blocking `java.net` sockets, parked and woken by the JDK's poller. "
          "Both get the same number of carrier threads (`jdk.virtualThreadScheduler.parallelism`: the JDK's "
          "default, one per processor, for Kyoto's; set to the same count for the JDK's).")
        w("")
        counted = perf_syscalls or syscalls
        plain_sections(w, machine, table, servers, unavailable, syscalls, idle, ref=KYOTO_VT,
                       ref_label="Kyoto VT", checks=vthreads_bar_checks(table, counted),
                       bar_title="## The bar (issue #20), from this run")
        vthreads_gap(w, table, counted)
        if perf_syscalls:
            perf_syscalls_section(w, perf_syscalls)
    elif table or idle or syscalls:
        plain_sections(w, machine, table, servers, unavailable, syscalls, idle)
    if tls_table or any(s in unavailable for s in tls_servers):
        agreed = next((r["tls"] for rs in runs.values() for r in rs if r.get("tls")), None)
        tls_section(w, machine, tls_table, tls_servers, unavailable, agreed)

    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "netbench-method.md")) as f:
        w(f.read().rstrip())
    with open(out, "w") as f:
        f.write("\n".join(md) + "\n")
    print(f"netbench: wrote {out}" + (f" and {chart}" if table else ""), file=sys.stderr)


def plain_sections(w, machine, table, servers, unavailable, syscalls, idle, ref=KYOTO, ref_label="Kyoto-mt",
                   checks=None, bar_title="## The bar (issue #17), from this run"):
    """The plain TCP scenarios: the bar (issue #17's unless told), CPU per unit, memory, each scenario,
    system calls; ratios are the reference server's over each other's."""
    w(bar_title)
    w("")
    for text, ok in (checks if checks is not None else bar_checks(table, syscalls, idle)):
        w(f"- {'met' if ok else '**not met**'}: {text}")
    w("")
    uring = uring_bar_checks(table, syscalls) if ref == KYOTO else []
    if uring:
        w("## The io_uring driver's bar (issue #22), from this run")
        w("")
        w(f"{SERVERS[KYOTO]} against the same server on the selector (`-Dkyoto.io.driver=nio`) and Netty's "
          "io_uring transport, medians as everywhere here; with this machine's spread between rounds, a ratio "
          "within about 10 % of its need is not a verdict either way.")
        w("")
        for text, ok in uring:
            w(f"- {'met' if ok else '**not met**'}: {text}")
        w("")
    w("## Server CPU per unit of work")
    w("")
    w("User + system CPU seconds of the server's process in the measured window, over the work the client "
      "completed in it: µs per round trip (`connect`: per connection; `stream`: ms per GiB echoed). Lower is "
      "better. On loopback the kernel's share includes much of the client's TCP path.")
    w("")
    cols = [sc for sc in SCENARIOS if sc in table]
    w("| server | " + " | ".join(f"`{sc}`" for sc in cols) + " |")
    w("|---|" + "---:|" * len(cols))
    for s_ in servers:
        cells = []
        for sc in cols:
            c = cpu_per_unit(table, sc, s_)
            cells.append(fmt_num(c) if c is not None else "—")
        if any(c != "—" for c in cells):
            w(f"| {SERVERS[s_]} | " + " | ".join(cells) + " |")
    for k, t in (("kyoto-mt", "tokio-mt"), ("kyoto-ct", "tokio-ct")):
        cells = []
        for sc in cols:
            a, b = cpu_per_unit(table, sc, k), cpu_per_unit(table, sc, t)
            cells.append(f"**{a / b:.2f}**" if a and b else "—")
        if any(c != "—" for c in cells):
            w(f"| {SERVERS[k]} / {SERVERS[t]} | " + " | ".join(cells) + " |")
    w("")
    if idle:
        w("## Resident memory per idle connection")
        w("")
        w(f"Each server started afresh with `{machine.get('idle_heap', '?')}` (JVMs), warmed up, then "
          f"{machine.get('idle_connections', '?'):,} connections opened, each echoed 64 B once and left quiet; the "
          "server's resident set (`VmRSS`) read before opening them and 2 s after the last echo. The kernel's "
          "socket buffers are not in it.")
        w("")
        w("| server | bytes per idle connection | RSS before | RSS with them held | connections |")
        w("|---|---:|---:|---:|---:|")
        for s_ in servers:
            d = idle.get(s_)
            if not d:
                continue
            if "error" in d:
                w(f"| {SERVERS[s_]} | failed: `{d['error']}` | | | |")
                continue
            w(f"| {SERVERS[s_]} | {d['bytes_per_conn']:,.0f} | {d['rss_before_kib'] / 1024:,.1f} MiB | "
              f"{d['rss_held_kib'] / 1024:,.1f} MiB | {d['connections']:,} |")
        w("")

    for sc, (title, unit, field) in SCENARIOS.items():
        if sc not in table:
            continue
        rows, ratios = table[sc]["rows"], table[sc]["ratios"]
        per = "GiB" if sc == "stream" else ("100k connections" if sc == "connect" else "100k round trips")
        w(f"## {title} (`{sc}`)")
        w("")
        w(f"| server | {unit} | {ref_label} / it | p50 | p99 | p99.9 | server CPU s per {per} | rounds |")
        w("|---|---:|---:|---:|---:|---:|---:|---|")
        for s in servers:
            r = rows.get(s)
            if s in unavailable and not r:
                w(f"| {SERVERS[s]} | unavailable | | | | | | |")
                continue
            if not r:
                continue
            cpu = r["cpu"]
            if sc == "stream" and cpu is not None:
                # Per 100k operations of 64 KiB each → per GiB: 100k × 64 KiB = 6.1 GiB.
                cpu = cpu / (1e5 * 65536 / 2**30)
            rr = "—" if s == ref else (f"**{ratios[s]:.2f}**" if ratios.get(s) else "—")
            w(f"| {SERVERS[s]} | {fmt_num(r['value'])} | {rr} | {fmt_us(r['p50'])} | {fmt_us(r['p99'])} | "
              f"{fmt_us(r['p999'])} | {fmt_num(cpu)} | {rounds_cell(r, 'connect errors')} |")
        w("")

    if syscalls:
        w("## System calls per round trip (64 connections, ping-pong, 64 B)")
        w("")
        w("`strace -c -f` attached to every thread of the server for a few seconds of the 64-connection "
          "scenario, divided by the round trips the client completed in the same window (strace slows "
          "the server many times over; the counts per round trip are what matter).")
        w("")
        names = sorted({n for d in syscalls.values() for n in d["calls"]},
                       key=lambda n: -max(d["calls"].get(n, {}).get("calls", 0) for d in syscalls.values()))
        cols = [s for s in SERVERS if s in syscalls]
        w("| system call | " + " | ".join(SERVERS[s] for s in cols) + " |")
        w("|---|" + "---:|" * len(cols))
        for n in names:
            cells = []
            for s in cols:
                c = syscalls[s]["calls"].get(n)
                rt = syscalls[s]["round_trips"]
                if not c or not rt:
                    cells.append("")
                    continue
                e = f" ({c['errors'] / rt:.3f} failed)" if c["errors"] else ""
                cells.append(f"{c['calls'] / rt:.3f}{e}")
            if any(cells) and any(float(x.split()[0]) >= 0.001 for x in cells if x):
                w(f"| {n} | " + " | ".join(cells) + " |")
        tot = []
        for s in cols:
            d = syscalls[s]
            tot.append(f"**{sum(c['calls'] for c in d['calls'].values()) / d['round_trips']:.3f}**")
        w("| all | " + " | ".join(tot) + " |")
        w("| round trips traced | " + " | ".join(f"{syscalls[s]['round_trips']:,}" for s in cols) + " |")
        w("")


if __name__ == "__main__":
    main()
