#!/usr/bin/env bash
# Counts the system calls Kyoto's echo server makes per echo round trip, with strace attached to
# every thread of the server while a loopback client runs a fixed number of round trips.
# Usage: scripts/count-syscalls.sh [CONNECTIONS] [ROUND_TRIPS] [MESSAGE_BYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-50}
round_trips=${2:-100000}
size=${3:-64}

if ! command -v strace >/dev/null; then
  apt-get update -qq && apt-get install -y -qq strace >/dev/null
fi

out=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$out"' EXIT
./kyoto echo-server --bind 127.0.0.1:0 >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  grep -q 'listening on' "$out/server.log" 2>/dev/null && break
  sleep 0.1
done
address=$(grep -o 'listening on .*' "$out/server.log" | awk '{print $3}' | sed 's#^/##')
pid=$(pgrep -P "$server" java || echo "$server")

# Warm the JIT up first, so the count is the steady state.
python3 scripts/echo-client.py "$address" "$connections" "$round_trips" "$size" >/dev/null

tids=$(ls /proc/"$pid"/task | sed 's/^/-p /' | tr '\n' ' ')
# shellcheck disable=SC2086
strace -f -c -o "$out/strace.txt" $tids &
tracer=$!
sleep 1
python3 scripts/echo-client.py "$address" "$connections" "$round_trips" "$size" >/dev/null
kill -INT "$tracer"
wait "$tracer" || true

echo "server system calls for $round_trips round trips ($connections connections, $size-byte messages):"
# strace -c columns: % time, seconds, usecs/call, calls, [errors], syscall.
awk -v n="$round_trips" '
  $NF ~ /^(read|write|readv|writev|epoll_wait|epoll_pwait|epoll_ctl|futex)$/ {
    errors = (NF == 6) ? $5 : 0
    printf "  %-12s %9d calls %8d errors  %.3f per round trip\n", $NF, $4, errors, $4 / n
  }
  $NF == "total" { printf "  %-12s %9d calls                  %.3f per round trip\n", "all", $4, $4 / n }
' "$out/strace.txt"
