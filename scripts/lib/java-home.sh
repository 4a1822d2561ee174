# Kyoto's one rule for finding a JDK, sourced by every entry point of this checkout (./mvnw,
# ./kyoto, .ci/run, scripts/*, examples/modular-echo/run-check.sh; scripts/launch-to-accept.py
# runs it through bash), so that they all agree on which Java builds and runs Kyoto:
#
#   1. JAVA_HOME, if it is a JDK 25 or newer;
#   2. else the `java` on the PATH, if it is a JDK 25 or newer;
#   3. else the JDK 25+ of the highest feature version among /usr/lib/jvm/*, /opt/java/*,
#      ~/.sdkman/candidates/java/* and /Library/Java/JavaVirtualMachines/*/Contents/Home;
#   4. else one line on standard error saying what to install and how to point at it, and exit 1.
#
# It exports JAVA_HOME and puts $JAVA_HOME/bin first on the PATH. KYOTO_JDK_SEARCH, when set,
# replaces the usual places of step 3 with its own glob patterns, separated by spaces (tests use
# it; so can a machine that keeps its JDKs elsewhere).
#
# Plain POSIX sh, not bash, because ./mvnw is a /bin/sh script: no arrays, no locals (variables
# are named _kyoto_* and unset at the end), every variable read with a default (scripts run with
# `set -u`), and globbing turned on for the search and restored (in case of `set -f`).

# The feature version of the JDK at $1 (25 for 25.0.3; 1 for Java 8's 1.8), or 0 if $1 is not a
# JDK (no java and javac). Reads the JDK's `release` file, which costs no JVM start; a JDK
# without one is asked.
_kyoto_jdk_feature() {
    _kyoto_v=
    if [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ]; then
        if [ -f "$1/release" ]; then
            _kyoto_v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
        fi
        if [ -z "$_kyoto_v" ]; then
            _kyoto_v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
                | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
        fi
    fi
    echo "${_kyoto_v:-0}"
}

# Sets _kyoto_home, or leaves it empty, by steps 1 to 3 of the rule; _kyoto_seen collects what
# was found too old, for the failure message.
_kyoto_find_jdk() {
    _kyoto_home= _kyoto_seen=
    if [ -n "${JAVA_HOME-}" ]; then
        _kyoto_f=$(_kyoto_jdk_feature "$JAVA_HOME")
        if [ "$_kyoto_f" -ge 25 ]; then
            _kyoto_home=$JAVA_HOME
            return 0
        fi
        _kyoto_seen="JAVA_HOME=$JAVA_HOME is Java $_kyoto_f"
        [ "$_kyoto_f" != 0 ] || _kyoto_seen="JAVA_HOME=$JAVA_HOME is not a JDK"
    fi
    if command -v java >/dev/null 2>&1; then
        # The JDK a `java` on the PATH belongs to is its java.home (a link such as /usr/bin/java
        # says nothing about it on every system).
        _kyoto_f=$(java -XshowSettings:properties -version 2>&1 \
            | sed -n 's/^ *java\.home = \(.*\)$/\1/p')
        if [ -n "$_kyoto_f" ] && [ "$(_kyoto_jdk_feature "$_kyoto_f")" -ge 25 ]; then
            _kyoto_home=$_kyoto_f
            return 0
        fi
        _kyoto_seen="${_kyoto_seen:+$_kyoto_seen; }java on the PATH is Java $(_kyoto_jdk_feature "${_kyoto_f:-/nonexistent}")"
    fi
    _kyoto_best=0
    # Globbing is off in ./mvnw (set -f); the search needs it.
    case $- in *f*) _kyoto_noglob=1; set +f ;; *) _kyoto_noglob= ;; esac
    if [ -n "${KYOTO_JDK_SEARCH-}" ]; then
        set -- $KYOTO_JDK_SEARCH
    else
        set -- /usr/lib/jvm/* /opt/java/* "${HOME-}"/.sdkman/candidates/java/* \
            /Library/Java/JavaVirtualMachines/*/Contents/Home
    fi
    [ -z "$_kyoto_noglob" ] || set -f
    for _kyoto_dir in "$@"; do
        [ -d "$_kyoto_dir" ] || continue
        _kyoto_f=$(_kyoto_jdk_feature "$_kyoto_dir")
        if [ "$_kyoto_f" -ge 25 ] && [ "$_kyoto_f" -gt "$_kyoto_best" ]; then
            _kyoto_best=$_kyoto_f _kyoto_home=$_kyoto_dir
        fi
    done
}

_kyoto_find_jdk
if [ -z "$_kyoto_home" ]; then
    echo "kyoto: needs JDK 25 or newer${_kyoto_seen:+ ($_kyoto_seen)}; install one (e.g. Temurin 25 from https://adoptium.net) and set JAVA_HOME to it" >&2
    exit 1
fi
JAVA_HOME=$_kyoto_home
# Once only, however many entry points source this in turn (./kyoto runs ./mvnw, which sources it).
case "$PATH" in "$JAVA_HOME/bin:"*) ;; *) PATH="$JAVA_HOME/bin:$PATH" ;; esac
export JAVA_HOME PATH
unset _kyoto_v _kyoto_f _kyoto_home _kyoto_seen _kyoto_best _kyoto_noglob _kyoto_dir
unset -f _kyoto_jdk_feature _kyoto_find_jdk
