#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ci/bench runs on a machine with Docker installed: where a docker.service unit file exists, the
# benchmarks that install the dockerd-like fixture (bench-loop, and bench-footprint's seed
# scenario) name it taskstorm-docker.service and leave the existing unit as it was: not started,
# not replaced, no drop-in. The stand-in unit is written into the sandbox's overlay, never on the
# host (and what the sandbox writes stays there: the results come back on stdout).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host

# shellcheck disable=SC2016 # expanded in the sandbox
out=$("$TASKSTORM" sandbox -- /bin/bash -ec '
        unit=/lib/systemd/system/docker.service
        printf "[Unit]\nDescription=a stand-in for the unit of a real Docker\n[Service]\nExecStart=/bin/sleep infinity\n" >$unit
        systemctl daemon-reload
        echo "before: $(sha256sum <$unit)"
        echo "loop: $(TASKSTORM="$2" "$1/tests/bench/bench-loop" --runs 1 | jq -s -c "map(.name)")"
        echo "footprint: $(TASKSTORM="$2" "$1/tests/bench/bench-footprint" --runs 1 | jq -s -c "map(.name)")"
        echo "after: $(sha256sum <$unit)"
        systemctl show -p ActiveState,DropInPaths,FragmentPath docker.service
' sh "$TASKSTORM_SOURCE_ROOT" "$TASKSTORM")
echo "$out"

field() { sed -n "s/^$1: //p" <<<"$out"; }
[ -n "$(field before)" ] && [ "$(field before)" = "$(field after)" ] || fail "docker.service's file changed"
grep -Fxq "ActiveState=inactive" <<<"$out" || fail "docker.service was started"
grep -Fxq "DropInPaths=" <<<"$out" || fail "docker.service got a drop-in"
grep -Fxq "FragmentPath=/lib/systemd/system/docker.service" <<<"$out" || fail "docker.service's file moved"
[ "$(field loop | jq length)" = 2 ] || fail "bench-loop printed not two rows"
[ "$(field footprint | jq length)" = 1 ] || fail "bench-footprint printed no row"
echo "ok: beside a docker.service unit file, bench-loop and bench-footprint ran and left it as it was"
assert_no_leftovers
