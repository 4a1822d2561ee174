# shellcheck shell=sh
# Makes sure openssl and curl are on the PATH, installing Debian's openssl and curl packages with
# apt-get if either is missing. module-tls's tests run them against Kyoto's TLS (OpenSslClientTest,
# OpenSslServerTest, CurlHttpsTest) and fail, rather than skip, without them. Source it before
# the build (`. scripts/lib/install-tls-tools.sh`), as .ci/run does, or run it (`sh ...`).
#
# Plain POSIX sh, like scripts/lib/install-redis.sh: variables are named _kyoto_* and unset at the end.

_kyoto_tls_missing=
for _kyoto_cmd in openssl curl; do
    command -v "$_kyoto_cmd" >/dev/null 2>&1 || _kyoto_tls_missing="$_kyoto_tls_missing $_kyoto_cmd"
done

if [ -n "$_kyoto_tls_missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        _kyoto_sudo=
    elif command -v sudo >/dev/null 2>&1; then
        _kyoto_sudo=sudo
    else
        echo "kyoto: needs$_kyoto_tls_missing; install Debian's packages (apt-get install$_kyoto_tls_missing) as root, or run this as root" >&2
        exit 1
    fi
    echo "kyoto: installing$_kyoto_tls_missing for module-tls's tests" >&2
    # apt-get's chatter is shown only if the install fails. The packages are named as the commands.
    _kyoto_log=$(mktemp)
    _kyoto_status=0
    # shellcheck disable=SC2086 # the list of packages is split on purpose
    { $_kyoto_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && $_kyoto_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends $_kyoto_tls_missing; } >"$_kyoto_log" 2>&1 \
        || _kyoto_status=$?
    if [ "$_kyoto_status" != 0 ]; then
        cat "$_kyoto_log" >&2
        rm -f "$_kyoto_log"
        echo "kyoto: apt-get could not install$_kyoto_tls_missing (exit $_kyoto_status); install them by hand" >&2
        exit 1
    fi
    rm -f "$_kyoto_log"
fi

for _kyoto_cmd in openssl curl; do
    if ! command -v "$_kyoto_cmd" >/dev/null 2>&1; then
        echo "kyoto: $_kyoto_cmd is still not on the PATH after installing Debian's $_kyoto_cmd package" >&2
        exit 1
    fi
done
unset _kyoto_tls_missing _kyoto_cmd _kyoto_sudo _kyoto_status _kyoto_log
