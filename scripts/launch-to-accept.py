#!/usr/bin/env python3
"""Measures the time from launching an echo server to its first accepted connection.

Usage: scripts/launch-to-accept.py [--runs N] [--case 'LABEL=COMMAND'] ...

Each case is a command that starts an echo server printing "listening on HOST:PORT" first, for
example 'image=module-cli/target/kyoto/bin/kyoto echo-server --bind 127.0.0.1:0'. Without --case,
the script compares the kyoto tool of this checkout (build it first: ./mvnw package) run four
ways: its jlink image (bin/kyoto, with the ahead-of-time cache the build trained), the same image
without the cache, the full JDK with a class path, and the full JDK with a module path.

A run starts the clock, launches the command, waits for the "listening on" line, connects at once,
sends one byte and waits for its echo; the echo proves that the server accepted the connection and
served it (the kernel completes a TCP handshake before the application accepts). Then the server is
killed. Runs of the cases are interleaved (A B C, A B C, ...) so that other load on the machine
falls on every case alike. The script prints the median per case, with the minimum and maximum,
and the load average before and after, so a busy machine shows in the result.

Only loopback addresses are accepted: this is a local measurement.
"""

import argparse
import glob
import ipaddress
import os
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time

LISTENING = re.compile(rb"listening on \[?([^\]\s]+)\]?:(\d+)")
TIMEOUT_S = 60
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def one_run(command):
    """Launches the command once and returns seconds from launch to the first echoed byte."""
    start = time.perf_counter()
    # A session of its own, so that killing its process group also ends a JVM that a launcher
    # script started as a child (jlink's own --launcher scripts do).
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        line = server.stdout.readline()
        m = LISTENING.match(line)
        if not m:
            raise SystemExit(f"{command[0]}: expected 'listening on HOST:PORT' first, got {line!r}")
        host = m.group(1).decode()
        if not ipaddress.ip_address(host).is_loopback:
            raise SystemExit(f"the server listens on {host}, which is not a loopback address")
        with socket.create_connection((host, int(m.group(2))), timeout=TIMEOUT_S) as s:
            s.sendall(b"x")
            if s.recv(1) != b"x":
                raise SystemExit("the server did not echo")
        return time.perf_counter() - start
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(TIMEOUT_S)


def jdk_25():
    """The JDK 25+ that every entry point of this checkout uses, by its one rule (scripts/lib/java-home.sh)."""
    helper = os.path.join(ROOT, "scripts", "lib", "java-home.sh")
    found = subprocess.run(["bash", "-c", '. "$1" && printf %s "$JAVA_HOME"', "bash", helper],
                           stdout=subprocess.PIPE, text=True)
    if found.returncode != 0:
        raise SystemExit(1)  # the helper printed what to install
    return found.stdout


def kyoto_cases():
    """The kyoto tool of this checkout: its image with and without its cache, and the full JDK with a class path and a module path."""
    target = os.path.join(ROOT, "module-cli", "target")
    jars = [j for j in glob.glob(os.path.join(target, "kyoto-cli-*.jar"))
            if not j.endswith(("-sources.jar", "-javadoc.jar", "-tests.jar"))]
    image = os.path.join(target, "kyoto", "bin", "kyoto")
    if len(jars) != 1 or not os.access(image, os.X_OK):
        raise SystemExit("build the tool first (./mvnw package): no single kyoto-cli jar or no image in " + target)
    lib = os.path.join(target, "lib")
    java = os.path.join(jdk_25(), "bin", "java")
    class_path = os.pathsep.join([jars[0]] + sorted(glob.glob(os.path.join(lib, "*.jar"))))
    server = ["echo-server", "--bind", "127.0.0.1:0"]
    return [
        ("jlink image", [image] + server),
        # What bin/kyoto runs, less the ahead-of-time cache it passes the JVM.
        ("jlink image, no AOT cache", [os.path.join(target, "kyoto", "bin", "java"), "-m", "dev.kyoto.cli/dev.kyoto.cli.Main"] + server),
        ("full JDK, class path", [java, "-cp", class_path, "dev.kyoto.cli.Main"] + server),
        ("full JDK, module path", [java, "-p", jars[0] + os.pathsep + lib, "-m", "dev.kyoto.cli/dev.kyoto.cli.Main"] + server),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="launches per case (default 10)")
    parser.add_argument("--case", action="append", default=[], metavar="LABEL=COMMAND",
                        help="a server command to measure, with a label; repeat for more")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    cases = []
    for case in args.case:
        label, sep, command = case.partition("=")
        if not sep or not command.strip():
            parser.error(f"--case wants LABEL=COMMAND, got {case!r}")
        cases.append((label, shlex.split(command)))
    cases = cases or kyoto_cases()

    load_before = os.getloadavg()[0]
    times_ms = {label: [] for label, _ in cases}
    for i in range(args.runs):
        for label, command in cases:
            times_ms[label].append(one_run(command) * 1000)
            print(f"run {i + 1:2} {label}: {times_ms[label][-1]:.1f} ms", file=sys.stderr)
    load_after = os.getloadavg()[0]

    width = max(len(label) for label, _ in cases)
    for label, _ in cases:
        t = times_ms[label]
        print(f"{label:<{width}}  median {statistics.median(t):6.1f} ms  (min {min(t):.1f}, max {max(t):.1f}, {len(t)} runs)")
    print(f"load average (1 min) {load_before:.2f} before, {load_after:.2f} after")


if __name__ == "__main__":
    main()
