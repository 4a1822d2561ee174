# shellcheck shell=sh
# Makes sure redis-cli, redis-benchmark and redis-server are on the PATH, installing Debian's
# redis-tools and redis-server (bookworm: 7.0.15) with apt-get if any is missing. Sourced by
# examples/mini-redis/redis-clients-check.sh and scripts/redisbench, which check the mini-redis
# example with clients nobody in this project wrote and compare it with the real server.
#
# The package's maintainer scripts would start a redis-server service on port 6379. Nothing here
# uses that service (every script starts its own server on a free port), and a server left
# running would hold the port and a core, so the install runs under a policy-rc.d that forbids
# starting services (unless the machine already has one, as Docker images do), and a service the
# install started anyway is stopped.
#
# Plain POSIX sh, like scripts/lib/java-home.sh: variables are named _kyoto_* and unset at the end.

_kyoto_redis_missing=
for _kyoto_cmd in redis-cli redis-benchmark redis-server; do
    command -v "$_kyoto_cmd" >/dev/null 2>&1 || _kyoto_redis_missing="$_kyoto_redis_missing $_kyoto_cmd"
done

if [ -n "$_kyoto_redis_missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        _kyoto_sudo=
    elif command -v sudo >/dev/null 2>&1; then
        _kyoto_sudo=sudo
    else
        echo "kyoto: needs$_kyoto_redis_missing; install Debian's redis-tools and redis-server (apt-get install redis-tools redis-server) as root, or run this as root" >&2
        exit 1
    fi
    echo "kyoto: installing redis-tools and redis-server (missing:$_kyoto_redis_missing)" >&2
    _kyoto_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        # Exit status 101 tells invoke-rc.d and deb-systemd-invoke that starting is forbidden.
        printf '#!/bin/sh\nexit 101\n' | $_kyoto_sudo tee /usr/sbin/policy-rc.d >/dev/null
        $_kyoto_sudo chmod 755 /usr/sbin/policy-rc.d
        _kyoto_policy=1
    fi
    # apt-get's chatter (debconf notices included) is shown only if the install fails.
    _kyoto_log=$(mktemp)
    _kyoto_status=0
    { $_kyoto_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && $_kyoto_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends redis-tools redis-server; } >"$_kyoto_log" 2>&1 \
        || _kyoto_status=$?
    [ -z "$_kyoto_policy" ] || $_kyoto_sudo rm -f /usr/sbin/policy-rc.d
    if [ "$_kyoto_status" != 0 ]; then
        cat "$_kyoto_log" >&2
        rm -f "$_kyoto_log"
        echo "kyoto: apt-get could not install redis-tools and redis-server (exit $_kyoto_status); install them by hand" >&2
        exit 1
    fi
    rm -f "$_kyoto_log"
    # A service manager that ignores policy-rc.d may have started the packaged server anyway.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
        $_kyoto_sudo systemctl stop redis-server || true
        $_kyoto_sudo systemctl disable --quiet redis-server 2>/dev/null || true
    elif [ -x /etc/init.d/redis-server ] && /etc/init.d/redis-server status >/dev/null 2>&1; then
        $_kyoto_sudo /etc/init.d/redis-server stop >/dev/null || true
    fi
fi

for _kyoto_cmd in redis-cli redis-benchmark redis-server; do
    if ! command -v "$_kyoto_cmd" >/dev/null 2>&1; then
        echo "kyoto: $_kyoto_cmd is still not on the PATH after installing redis-tools and redis-server" >&2
        exit 1
    fi
done
unset _kyoto_redis_missing _kyoto_cmd _kyoto_sudo _kyoto_policy _kyoto_status _kyoto_log
