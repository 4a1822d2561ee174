#!/usr/bin/env bash
# Checks the modular-echo example the way a user runs it: builds it with Maven against the Kyoto
# artifacts in the local repository (install Kyoto first: ./mvnw install at the root), runs it on
# the module path, then runs its jlink image; each must echo a loopback client. The image must
# hold exactly the modules the application needs.
# Usage: examples/modular-echo/run-check.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# Kyoto needs JDK 25; the Kyoto checkout's one rule finds it (and $JAVA_HOME/bin/jlink with it).
. "$root/scripts/lib/java-home.sh"
java="$JAVA_HOME/bin/java"
target="$here/target"
module=dev.kyoto.examples.echo

fail() {
    echo "modular-echo: $*" >&2
    exit 1
}

# Starts the server command given as arguments, waits for its "listening on" line (the read blocks
# until it is written; the timeout only bounds a broken server), and has one loopback round trip.
check_echo() {
    local what="$1" err line port reply
    shift
    err="$(mktemp)"
    coproc server { exec "$@" 2>"$err"; }
    # The coproc's variables vanish when it exits; keep what cleanup needs.
    local pid="$server_PID" out="${server[0]}"
    if ! read -r -t 60 line <&"$out"; then
        kill "$pid" 2>/dev/null || true
        fail "$what: no 'listening on' line; standard error: $(cat "$err")"
    fi
    port="${line#listening on 127.0.0.1:}"
    [[ "$port" =~ ^[0-9]+$ ]] || { kill "$pid"; fail "$what: unexpected first line '$line'"; }

    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'hello, kyoto\n' >&3
    read -r -t 30 reply <&3 || reply="(nothing)"
    exec 3>&-
    kill "$pid"
    wait "$pid" 2>/dev/null || true

    [ "$reply" = "hello, kyoto" ] || fail "$what: sent 'hello, kyoto', got back '$reply'"
    # Killing the process that was started must end the server: a launcher that runs the JVM as
    # a child instead of exec'ing it would leave it listening.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        fail "$what: still listening on port $port after its process was killed"
    fi
    # SLF4J warns here if no provider was found; the server itself reports only failures. The
    # runtime's INFO line as it starts, and the JVM's notes about options this check set in the
    # environment, are expected.
    ! grep -Ev '^(NOTE: )?Picked up (JDK_JAVA_OPTIONS|JAVA_TOOL_OPTIONS):|^\[[^]]*\] INFO dev\.kyoto\.runtime\.KyotoRuntime - runtime ' "$err" >/dev/null \
        || fail "$what: unexpected standard error: $(cat "$err")"
    rm -f "$err"
    echo "modular-echo: $what: loopback round trip ok"
}

"$root/mvnw" -B -q -f "$here/pom.xml" package

jar="$(ls "$target"/modular-echo-*.jar)"
check_echo "module path" "$java" --module-path "$jar:$target/modules" --module "$module/$module.Main" 127.0.0.1:0
check_echo "jlink image" "$target/image/bin/modular-echo" 127.0.0.1:0

# README.md, "Starting faster": a training run writes lib/app.aot as the JVM exits on SIGTERM;
# from then on the launcher starts from it, and -XX:AOTMode=on makes the JVM refuse a cache it
# cannot use.
rm -f "$target/image/lib/app.aot"
JDK_JAVA_OPTIONS="-XX:AOTCacheOutput=$target/image/lib/app.aot" check_echo "training run" "$target/image/bin/modular-echo" 127.0.0.1:0
[ -f "$target/image/lib/app.aot" ] || fail "the training run wrote no $target/image/lib/app.aot"
JDK_JAVA_OPTIONS="-XX:AOTMode=on" check_echo "jlink image with its cache" "$target/image/bin/modular-echo" 127.0.0.1:0

modules="$("$target/image/bin/java" --list-modules | sed 's/@.*//' | sort | tr '\n' ' ')"
expected="dev.kyoto.examples.echo dev.kyoto.io dev.kyoto.net dev.kyoto.runtime java.base org.slf4j org.slf4j.simple "
[ "$modules" = "$expected" ] || fail "the image holds '$modules', expected '$expected'"
echo "modular-echo: jlink image holds ${modules% }; $(du -sh "$target/image" | cut -f1), of which lib/app.aot $(du -sh "$target/image/lib/app.aot" | cut -f1)"
