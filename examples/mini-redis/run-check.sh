#!/usr/bin/env bash
# Checks the mini-redis example the way a user runs it: builds it (and runs its tests) with Maven
# against the Kyoto artifacts in the local repository (install Kyoto first: ./mvnw install at the
# root), starts its jlink image on a free port, has a PING and a SET/GET round trip over
# /dev/tcp, stops it with SIGTERM, and checks that the image holds exactly the modules the
# server needs.
# Usage: examples/mini-redis/run-check.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# Kyoto needs JDK 25; the Kyoto checkout's one rule finds it (and $JAVA_HOME/bin/jlink with it).
. "$root/scripts/lib/java-home.sh"
target="$here/target"

fail() {
    echo "mini-redis: $*" >&2
    exit 1
}

# Sends one RESP command (given as its wire bytes) on fd 3 and reads one line of reply into $reply,
# without the CR.
ask() {
    printf "$1" >&3
    read -r -t 30 reply <&3 || reply="(nothing)"
    reply="${reply%$'\r'}"
}

"$root/mvnw" -B -q -f "$here/pom.xml" package

err="$(mktemp)"
coproc server { exec "$target/image/bin/mini-redis" --bind 127.0.0.1:0 2>"$err"; }
# The coproc's variables vanish when it exits; keep what cleanup needs.
pid="$server_PID"
out="${server[0]}"
# The read blocks until the server prints its line; the timeout only bounds a broken server.
if ! read -r -t 60 line <&"$out"; then
    kill "$pid" 2>/dev/null || true
    fail "no 'listening on' line; standard error: $(cat "$err")"
fi
port="${line#listening on 127.0.0.1:}"
[[ "$port" =~ ^[0-9]+$ ]] || { kill "$pid"; fail "unexpected first line '$line'"; }

exec 3<>"/dev/tcp/127.0.0.1/$port"
ask '*1\r\n$4\r\nPING\r\n'
[ "$reply" = "+PONG" ] || { kill "$pid"; fail "sent PING, got back '$reply'"; }
ask '*3\r\n$3\r\nSET\r\n$10\r\nrun-check:\r\n$5\r\nkyoto\r\n'
[ "$reply" = "+OK" ] || { kill "$pid"; fail "sent SET, got back '$reply'"; }
ask 'GET run-check:\r\n'
[ "$reply" = '$5' ] || { kill "$pid"; fail "sent an inline GET, got back '$reply'"; }
ask ''
[ "$reply" = "kyoto" ] || { kill "$pid"; fail "GET returned '$reply', not the value SET stored"; }
exec 3>&-

kill -TERM "$pid"
wait "$pid" 2>/dev/null || true
# The launcher execs the JVM, so the signal reached the server itself: nothing listens any more.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "still listening on port $port after SIGTERM"
fi
# SLF4J warns here if no provider was found; the server itself reports only failures. The runtime
# logs one INFO line as it starts (and one as it stops, if it is closed).
! grep -Ev '^\[[^]]*\] INFO dev\.kyoto\.runtime\.KyotoRuntime - runtime ' "$err" >/dev/null \
    || fail "unexpected standard error: $(cat "$err")"
rm -f "$err"
echo "mini-redis: jlink image: PING, SET and GET round trips ok; stopped by SIGTERM"

modules="$("$target/image/bin/java" --list-modules | sed 's/@.*//' | sort | tr '\n' ' ')"
expected="dev.kyoto.codec dev.kyoto.examples.redis dev.kyoto.io dev.kyoto.net dev.kyoto.runtime java.base org.slf4j org.slf4j.simple "
[ "$modules" = "$expected" ] || fail "the image holds '$modules', expected '$expected'"
echo "mini-redis: jlink image holds ${modules% }; $(du -sh "$target/image" | cut -f1)"
