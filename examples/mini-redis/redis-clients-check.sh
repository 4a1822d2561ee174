#!/usr/bin/env bash
# Checks a Redis-protocol server with the real Redis clients (redis-cli, redis-benchmark), which
# nobody in this project wrote, asserting their exact output. The same checks pass against the
# real redis-server 7, so a difference from mini-redis is mini-redis's.
#
# Usage: examples/mini-redis/redis-clients-check.sh SERVER [CHECK...]
#   SERVER is `redis-server` (the real one, started here on a free port, without persistence) or
#   the path of a mini-redis launcher, e.g. examples/mini-redis/target/image/bin/mini-redis
#   (started here as `SERVER --bind 127.0.0.1:0`; it must print `listening on 127.0.0.1:PORT`).
#   CHECKs (e.g. pubsub malformed) run only those checks; the names are the check_* functions.
# Installs redis-tools and redis-server with apt-get if they are missing (scripts/lib/install-redis.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/scripts/lib/install-redis.sh"

all_checks=(ping echo set_get set_options del_exists incr_decr mget_mset expire_ttl expiry_happens
    dbsize_flushdb config_get errors binary_safe quit pipeline pubsub subscribe_unsubscribe
    quit_closes malformed benchmark)
if [ $# -lt 1 ]; then
    echo "usage: $0 redis-server|PATH-TO-MINI-REDIS-LAUNCHER [CHECK...]; checks: ${all_checks[*]}" >&2
    exit 2
fi
server="$1"
shift
selected=("${@:-${all_checks[@]}}")
for check in "${selected[@]}"; do
    if ! printf '%s\n' "${all_checks[@]}" | grep -qxF -- "$check"; then
        echo "redis-clients-check: no check named '$check'; checks: ${all_checks[*]}" >&2
        exit 2
    fi
done
work="$(mktemp -d)"
started=()   # every process started here, killed with its children on every exit path
checks=0
port=

# Kills process $1 and its descendants (a launcher that does not exec leaves the JVM as a child).
kill_tree() {
    local child
    for child in $(pgrep -P "$1" 2>/dev/null || true); do
        kill_tree "$child"
    done
    kill "$1" 2>/dev/null || true
}

cleanup() {
    local pid
    for pid in "${started[@]}"; do
        kill_tree "$pid"
    done
    for pid in "${started[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A value as it reads best: as is on one line if printable and short, else indented line by
# line, with control characters other than newlines escaped and long lines cut.
show() {
    local line
    if [[ "$1" =~ ^[[:print:]]*$ ]] && [ ${#1} -le 200 ]; then
        printf '%s\n' "$1"
    else
        echo
        while IFS= read -r line; do
            [ ${#line} -le 200 ] || line="${line:0:100}... (${#line} characters)"
            if [[ "$line" =~ ^[[:print:]]*$ ]]; then
                printf '      | %s\n' "$line"
            else
                printf '      | %q\n' "$line"
            fi
        done <<<"$1"
    fi
}

# fail CHECK WHAT [EXPECTED ACTUAL]: names the failing check and shows both sides, then exits.
fail() {
    {
        echo "redis-clients-check: FAILED check '$1' against $server"
        echo "  $2"
        if [ $# -ge 4 ]; then
            echo "  expected: $(show "$3")"
            echo "  actual:   $(show "$4")"
        fi
        if [ -s "$work/server.log" ]; then
            echo "  server output (last 20 lines):"
            tail -n 20 "$work/server.log" | sed 's/^/    /'
        fi
    } >&2
    exit 1
}

# Starts the server and sets $port once it is ready: reads its output until the line saying so
# (each read blocks until a line is written; the deadline only bounds a broken server), then
# keeps draining the output into server.log so that the server never blocks on a full pipe.
start_server() {
    local ready line deadline out
    mkfifo "$work/server.out"
    if [ "$server" = redis-server ]; then
        port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
            >"$work/server.out" 2>&1 &
        ready='Ready to accept connections'
    else
        [ -x "$server" ] || { echo "redis-clients-check: $server is not an executable; build mini-redis first: ./mvnw -B install -DskipTests && examples/mini-redis/run-check.sh" >&2; exit 1; }
        "$server" --bind 127.0.0.1:0 >"$work/server.out" 2>&1 &
        ready='^listening on 127\.0\.0\.1:[0-9]+$'
    fi
    started+=($!)
    exec {out}<"$work/server.out"
    deadline=$((SECONDS + 60))
    while [ $SECONDS -lt $deadline ] && IFS= read -r -t 60 line <&"$out"; do
        echo "$line" >>"$work/server.log"
        if [[ "$line" =~ $ready ]]; then
            [ -n "$port" ] || port="${line##*:}"
            cat <&"$out" >>"$work/server.log" &
            started+=($!)
            exec {out}<&-
            if [ "$port" = 0 ]; then
                fail startup "$server --bind 127.0.0.1:0" "listening on 127.0.0.1:<the port bound>" "$line"
            fi
            return 0
        fi
    done
    fail startup "start $server" "a line matching '$ready' within 60 s" "$(cat "$work/server.log" 2>/dev/null)"
}

# redis-cli in its human format (--no-raw even into a file): (nil), (integer) 1, "text",
# (error) ERR ..., so that the assertions see the reply's type as well as its value. The timeout
# turns a server that never answers into a failure instead of a hang.
cli() {
    timeout 10 redis-cli --no-raw -h 127.0.0.1 -p "$port" "$@" 2>&1 || echo "(redis-cli exit $?)"
}

# expect CHECK EXPECTED ARGS...: runs redis-cli ARGS and compares its whole output.
expect() {
    local check="$1" expected="$2" actual
    shift 2
    actual="$(cli "$@")"
    [ "$actual" = "$expected" ] || fail "$check" "redis-cli $*" "$expected" "$actual"
}

# expect_range CHECK LOW HIGH ARGS...: the reply is (integer) N with LOW <= N <= HIGH.
expect_range() {
    local check="$1" low="$2" high="$3" actual n
    shift 3
    actual="$(cli "$@")"
    n="${actual#(integer) }"
    if [[ ! "$actual" =~ ^\(integer\)\ -?[0-9]+$ ]] || [ "$n" -lt "$low" ] || [ "$n" -gt "$high" ]; then
        fail "$check" "redis-cli $*" "(integer) $low..$high" "$actual"
    fi
}

run() {
    "check_$1"
    checks=$((checks + 1))
}

# ---- commands, one at a time --------------------------------------------------------------------

check_ping() {
    expect ping 'PONG' PING
    expect ping '"hello world"' PING 'hello world'
    expect ping '(error) ERR wrong number of arguments for '\''ping'\'' command' PING a b
}

check_echo() {
    expect echo '"hi there"' ECHO 'hi there'
    expect echo '""' ECHO ''
}

check_set_get() {
    expect set-get 'OK' FLUSHDB
    expect set-get 'OK' SET k v
    expect set-get '"v"' GET k
    expect set-get 'OK' SET k 'new value'
    expect set-get '"new value"' GET k
    expect set-get '(nil)' GET missing
}

check_set_options() {
    expect set-options 'OK' FLUSHDB
    expect set-options 'OK' SET ex v EX 100
    expect_range set-options 98 100 TTL ex
    expect set-options 'OK' SET px v PX 100000
    expect_range set-options 98 100 TTL px
    expect set-options 'OK' SET k v
    expect set-options '(nil)' SET k other NX
    expect set-options '"v"' GET k
    expect set-options 'OK' SET fresh v NX
    expect set-options '(nil)' SET missing v XX
    expect set-options '(nil)' GET missing
    expect set-options 'OK' SET k v2 XX
    expect set-options '"v2"' GET k
    # A plain SET clears the TTL a key had.
    expect set-options 'OK' SET ex v
    expect set-options '(integer) -1' TTL ex
    expect set-options '(error) ERR syntax error' SET k v NX XX
    expect set-options '(error) ERR syntax error' SET k v EX 10 PX 10000
    expect set-options '(error) ERR syntax error' SET k v BOGUS
    expect set-options '(error) ERR invalid expire time in '\''set'\'' command' SET k v EX 0
    expect set-options '(error) ERR value is not an integer or out of range' SET k v EX ten
}

check_del_exists() {
    expect del-exists 'OK' FLUSHDB
    expect del-exists 'OK' MSET a 1 b 2 c 3
    expect del-exists '(integer) 2' EXISTS a a nope
    expect del-exists '(integer) 3' EXISTS a b c
    expect del-exists '(integer) 2' DEL a b nope
    expect del-exists '(integer) 0' EXISTS a b
    expect del-exists '(integer) 1' EXISTS c
    expect del-exists '(integer) 0' DEL a
}

check_incr_decr() {
    expect incr-decr 'OK' FLUSHDB
    expect incr-decr '(integer) 1' INCR n
    expect incr-decr '(integer) 2' INCR n
    expect incr-decr '(integer) 1' DECR n
    expect incr-decr '(integer) -1' DECR m
    expect incr-decr '"1"' GET n
    expect incr-decr 'OK' SET n 41
    expect incr-decr '(integer) 42' INCR n
    expect incr-decr 'OK' SET s abc
    expect incr-decr '(error) ERR value is not an integer or out of range' INCR s
    expect incr-decr '(error) ERR value is not an integer or out of range' DECR s
    expect incr-decr '"abc"' GET s
    expect incr-decr 'OK' SET big 9223372036854775807
    expect incr-decr '(error) ERR increment or decrement would overflow' INCR big
}

check_mget_mset() {
    expect mget-mset 'OK' FLUSHDB
    expect mget-mset 'OK' MSET a 1 b 'two words'
    expect mget-mset $'1) "1"\n2) (nil)\n3) "two words"' MGET a missing b
    expect mget-mset 'OK' MSET a one
    expect mget-mset '"one"' GET a
    expect mget-mset '(error) ERR wrong number of arguments for '\''mset'\'' command' MSET a 1 b
}

check_expire_ttl() {
    expect expire-ttl 'OK' FLUSHDB
    expect expire-ttl 'OK' SET k v
    expect expire-ttl '(integer) -1' TTL k
    expect expire-ttl '(integer) -2' TTL missing
    expect expire-ttl '(integer) 1' EXPIRE k 50
    expect_range expire-ttl 48 50 TTL k
    expect expire-ttl '(integer) 0' EXPIRE missing 50
}

# The server offers no notification of an expiry, so the check polls EXISTS, bounded at 5 s.
check_expiry_happens() {
    local deadline actual
    expect expiry 'OK' SET soon v PX 100
    deadline=$((SECONDS + 5))
    while actual="$(cli EXISTS soon)" && [ "$actual" = '(integer) 1' ] && [ $SECONDS -lt $deadline ]; do
        sleep 0.05
    done
    [ "$actual" = '(integer) 0' ] || fail expiry "redis-cli EXISTS soon, 100 ms after SET soon v PX 100, polled for 5 s" '(integer) 0' "$actual"
    expect expiry '(nil)' GET soon
    expect expiry '(integer) -2' TTL soon
}

check_dbsize_flushdb() {
    expect dbsize-flushdb 'OK' FLUSHDB
    expect dbsize-flushdb '(integer) 0' DBSIZE
    expect dbsize-flushdb 'OK' MSET a 1 b 2 c 3
    expect dbsize-flushdb '(integer) 3' DBSIZE
    expect dbsize-flushdb 'OK' FLUSHDB
    expect dbsize-flushdb '(integer) 0' DBSIZE
    expect dbsize-flushdb '(nil)' GET a
}

# redis-benchmark asks for both at startup and warns "Could not fetch server CONFIG" unless each
# reply is a [name, value] array.
check_config_get() {
    expect config-get $'1) "save"\n2) ""' CONFIG GET save
    expect config-get $'1) "appendonly"\n2) "no"' CONFIG GET appendonly
}

check_errors() {
    # Redis's text ends with a space after the last argument.
    expect errors "(error) ERR unknown command 'nosuchcmd', with args beginning with: 'a' 'b c' " nosuchcmd a 'b c'
    expect errors "(error) ERR unknown command 'nosuchcmd', with args beginning with: " nosuchcmd
    expect errors "(error) ERR wrong number of arguments for 'get' command" GET
    expect errors "(error) ERR wrong number of arguments for 'get' command" get a b
    expect errors "(error) ERR wrong number of arguments for 'set' command" SET k
    expect errors "(error) ERR wrong number of arguments for 'del' command" DEL
}

# A value holding CR LF and a NUL goes in through redis-cli -x (stdin, byte for byte) and comes
# back the same from GET --raw (which adds one newline) and escaped from GET --no-raw.
check_binary_safe() {
    printf 'a\r\nb\0c\377' >"$work/binary"
    expect binary-safe 'OK' -x SET bin <"$work/binary"
    { cat "$work/binary"; echo; } >"$work/binary.expected"
    timeout 10 redis-cli --raw -h 127.0.0.1 -p "$port" GET bin >"$work/binary.actual" 2>&1 || true
    cmp -s "$work/binary.expected" "$work/binary.actual" \
        || fail binary-safe "redis-cli --raw GET bin" "$(od -c "$work/binary.expected")" "$(od -c "$work/binary.actual")"
    expect binary-safe '"a\r\nb\x00c\xff"' GET bin
    expect binary-safe '"a\r\nb\x00c\xff"' -x ECHO <"$work/binary"
}

check_quit() {
    expect quit 'OK' QUIT
}

# ---- pipelining ---------------------------------------------------------------------------------

# redis-cli --pipe writes the whole file without waiting, then sends an ECHO of 20 random bytes
# and reads replies until its echo comes back.
check_pipeline() {
    local actual
    python3 - "$work/pipe.resp" <<'EOF'
import sys
with open(sys.argv[1], 'wb') as f:
    for i in range(10000):
        key, value = b'key:%d' % i, b'value:%d' % i
        f.write(b'*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n' % (len(key), key, len(value), value))
EOF
    expect pipeline 'OK' FLUSHDB
    actual="$(timeout 60 redis-cli -h 127.0.0.1 -p "$port" --pipe <"$work/pipe.resp" 2>&1 || echo "(redis-cli --pipe exit $?)")"
    [ "$(tail -n 1 <<<"$actual")" = 'errors: 0, replies: 10000' ] \
        || fail pipeline "redis-cli --pipe < 10000 SET commands" 'errors: 0, replies: 10000 (last line)' "$actual"
    expect pipeline '(integer) 10000' DBSIZE
    expect pipeline '"value:0"' GET key:0
    expect pipeline '"value:9999"' GET key:9999
}

# ---- pub/sub ------------------------------------------------------------------------------------

# Two redis-cli SUBSCRIBE processes; PUBLISH's reply (how many subscribers received the message)
# tells when both are subscribed: the check publishes to a channel of their own until it says 2,
# so that the messages on `ch` reach both or neither.
check_pubsub() {
    local i deadline actual sub subscribers=()
    local messages=(one 'two  spaces' 3 "$(printf 'x%.0s' $(seq 1 5000))" last)
    for i in 1 2; do
        timeout 60 redis-cli --raw -h 127.0.0.1 -p "$port" SUBSCRIBE sync ch >"$work/sub$i" 2>&1 &
        started+=($!)
        subscribers+=($!)
    done
    deadline=$((SECONDS + 10))
    while actual="$(cli PUBLISH sync ready)" && [ "$actual" != '(integer) 2' ] && [ $SECONDS -lt $deadline ]; do
        sleep 0.05
    done
    [ "$actual" = '(integer) 2' ] || fail pubsub "redis-cli PUBLISH sync ready, polled for 10 s until both subscribers are subscribed" '(integer) 2' "$actual"
    for i in "${!messages[@]}"; do
        expect pubsub '(integer) 2' PUBLISH ch "${messages[$i]}"
    done
    expect pubsub '(integer) 0' PUBLISH nobody-listens x
    # Each subscriber prints a message as it gets it; wait for the last one, bounded at 10 s.
    for i in 1 2; do
        sub="$work/sub$i"
        deadline=$((SECONDS + 10))
        until [ "$(tail -n 1 "$sub")" = last ] || [ $SECONDS -ge $deadline ]; do
            sleep 0.05
        done
        # Raw output: subscribe confirmations (kind, channel, count), then (message, channel, payload).
        actual="$(awk 'NR <= 6 { print; next } $0 == "message" { getline channel; getline payload; if (channel == "ch") print payload }' "$sub")"
        [ "$actual" = "$(printf '%s\n' subscribe sync 1 subscribe ch 2 "${messages[@]}")" ] \
            || fail pubsub "subscriber $i (redis-cli SUBSCRIBE sync ch): confirmations, then the messages on ch in order" \
                "$(printf '%s\n' subscribe sync 1 subscribe ch 2 "${messages[@]}")" "$(cat "$sub")"
    done
    for sub in "${subscribers[@]}"; do
        kill_tree "$sub"
        wait "$sub" 2>/dev/null || true
    done
}

# ---- raw protocol -------------------------------------------------------------------------------

# Exact bytes on raw sockets, for what redis-cli cannot show: SUBSCRIBE/UNSUBSCRIBE replies and
# the return to normal commands, QUIT closing the connection, and malformed input answered with a
# protocol error and a close while other connections (one idle, one holding half a command) go
# on working.
raw() {
    local check="$1" actual
    actual="$(timeout 60 python3 -c "$raw_prelude$(cat)" "$port" 2>&1)" \
        || fail "$check" "raw socket exchange (python3): $actual"
}

# What every raw check's script starts with: connect(), exchange() (send, then read until as
# many bytes as expected came) and expect_close() (send on a new connection, then read to the
# end), each failing with what was sent, expected and received.
raw_prelude='
import socket, sys
port = int(sys.argv[1])
def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=10)
def exchange(sock, send, expected):
    sock.sendall(send)
    got = b""
    try:
        while len(got) < len(expected):
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        sys.exit("sent %r\n  expected %r\n  actual   %r, then nothing for 10 s" % (send, expected, got))
    if got != expected:
        sys.exit("sent %r\n  expected %r\n  actual   %r" % (send, expected, got))
def expect_close(send, expected):
    sock = connect()
    sock.sendall(send)
    got = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        sys.exit("sent %r\n  expected %r and a close\n  actual   %r and no close within 10 s" % (send, expected, got))
    except ConnectionResetError:
        pass
    sock.close()
    if got != expected:
        sys.exit("sent %r\n  expected %r and a close\n  actual   %r" % (send, expected, got))
'

check_subscribe_unsubscribe() {
    raw subscribe-unsubscribe <<'EOF'
s = connect()
exchange(s, b'*1\r\n$11\r\nUNSUBSCRIBE\r\n', b'*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n')
exchange(s, b'*3\r\n$9\r\nSUBSCRIBE\r\n$1\r\na\r\n$1\r\nb\r\n',
         b'*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n')
p = connect()
exchange(p, b'*3\r\n$7\r\nPUBLISH\r\n$1\r\nb\r\n$2\r\nhi\r\n', b':1\r\n')
exchange(s, b'', b'*3\r\n$7\r\nmessage\r\n$1\r\nb\r\n$2\r\nhi\r\n')
exchange(s, b'*2\r\n$11\r\nUNSUBSCRIBE\r\n$1\r\na\r\n', b'*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n')
exchange(s, b'*2\r\n$11\r\nUNSUBSCRIBE\r\n$1\r\nb\r\n', b'*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n')
exchange(p, b'*3\r\n$7\r\nPUBLISH\r\n$1\r\nb\r\n$2\r\nhi\r\n', b':0\r\n')
exchange(s, b'*1\r\n$4\r\nPING\r\n', b'+PONG\r\n')
EOF
}

check_quit_closes() {
    raw quit-closes <<'EOF'
expect_close(b'*1\r\n$4\r\nQUIT\r\n', b'+OK\r\n')
EOF
}

check_malformed() {
    raw malformed <<'EOF'
idle = connect()
exchange(idle, b'*1\r\n$4\r\nPING\r\n', b'+PONG\r\n')
half = connect()
half.sendall(b'*2\r\n$3\r\nGET\r\n$5\r\nab')
expect_close(b'*abc\r\n', b'-ERR Protocol error: invalid multibulk length\r\n')
expect_close(b'*1\r\n$1073741824\r\n', b'-ERR Protocol error: invalid bulk length\r\n')
expect_close(b'*1\r\n$x\r\n', b'-ERR Protocol error: invalid bulk length\r\n')
expect_close(b'*1\r\n$4\r\nPING\r\n*abc\r\n', b'+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n')
exchange(idle, b'*1\r\n$4\r\nPING\r\n', b'+PONG\r\n')
exchange(half, b'cde\r\n', b'$-1\r\n')
EOF
    expect malformed 'PONG' PING
}

# redis-benchmark sends inline PING (PING_INLINE), RESP commands from 50 connections, and at
# startup CONFIG GET save and CONFIG GET appendonly; any error or warning text fails the check.
check_benchmark() {
    local actual rc=0 test line
    actual="$(timeout 100 redis-benchmark -h 127.0.0.1 -p "$port" -t ping,set,get,incr,mset -n 100000 -q 2>&1)" || rc=$?
    # Progress lines end in CR; the results are what follows the last CR of each line.
    actual="$(tr '\r' '\n' <<<"$actual" | sed 's/^ *//' | grep -v '^$' | grep -v 'rps=' || true)"
    [ "$rc" = 0 ] || fail benchmark "redis-benchmark -t ping,set,get,incr,mset -n 100000 -q" "exit 0" "exit $rc: $actual"
    if grep -qiE 'error|warn|could not' <<<"$actual"; then
        fail benchmark "redis-benchmark -t ping,set,get,incr,mset -n 100000 -q" "no error or warning" "$actual"
    fi
    for test in PING_INLINE PING_MBULK SET GET INCR 'MSET (10 keys)'; do
        line="$(grep -F "$test: " <<<"$actual" | head -n 1)"
        [[ "$line" =~ ^"$test: "[0-9.]+\ requests\ per\ second ]] \
            || fail benchmark "redis-benchmark, test $test" "$test: N requests per second, ..." "$actual"
    done
}

start_server
for check in "${selected[@]}"; do
    run "$check"
done
echo "redis-clients-check: $checks checks passed against $server"
