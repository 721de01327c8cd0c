#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `meson install` gives a working tool: installed into a DESTDIR, every shipped file is where the
# binary looks for it, nothing of the build tree comes along, and inside a sandbox (whose root's
# writes are thrown away) the installed copy, put at its prefix, runs the seed scenario by name
# with no help from the environment or the source tree.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
require_root_host
: "${TASKSTORM_BUILD_ROOT:?TASKSTORM_BUILD_ROOT must name the build directory}"
src=$(cd "$(dirname "$0")/../.." && pwd)

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$TASKSTORM_BUILD_ROOT" --no-rebuild --quiet --destdir "$dest" >"$dest.log" 2>&1 ||
        { cat "$dest.log"; rm -f "$dest.log"; fail "meson install"; }
rm -f "$dest.log"
prefix=$(meson introspect --buildoptions "$TASKSTORM_BUILD_ROOT" | jq -r '.[] | select(.name == "prefix") | .value')
opt() { meson introspect --buildoptions "$TASKSTORM_BUILD_ROOT" | jq -r --arg n "$1" '.[] | select(.name == $n) | .value'; }
root="$dest$prefix"
bin="$root/$(opt bindir)/taskstorm"
data="$root/$(opt datadir)/taskstorm"
libexec="$root/$(opt libexecdir)/taskstorm"

[ -x "$bin" ] || fail "no $bin"
for f in "$libexec/tsdockerd" "$libexec/tstask"; do [ -x "$f" ] || fail "no $f"; done
shipped=$(cd "$src/scenarios" && ls *.scenario)
[ "$(cd "$data/scenarios" && ls *.scenario)" = "$shipped" ] ||
        fail "installed scenarios differ from scenarios/: $(diff <(echo "$shipped") <(cd "$data/scenarios" && ls) | tr '\n' ' ')"
for f in report.schema.json qualify.schema.json; do [ -f "$data/schemas/$f" ] || fail "no schemas/$f"; done
if command -v scdoc >/dev/null; then
        for f in man1/taskstorm.1 man5/taskstorm.scenario.5; do
                [ -s "$root/$(opt mandir)/$f" ] || fail "no man page $f"
        done
fi
completion=$(find "$dest" -path '*bash-completion/completions/taskstorm')
[ -n "$completion" ] || fail "no bash completion"
bash -c ". /usr/share/bash-completion/bash_completion 2>/dev/null; . '$completion'; complete -p taskstorm" |
        grep -q _taskstorm || fail "the completion does not register"
[ -z "$(find "$dest" -name 'taskstorm-paths.ini')" ] || fail "the build tree's taskstorm-paths.ini was installed"
echo "ok: installed $(find "$dest" -type f | wc -l) files: the binary, tsdockerd, tstask," \
        "$(wc -w <<<"$shipped") scenarios, schemas, man pages, completion"

# In the sandbox: the installed files at their prefix (on the root's overlay), run from / with
# neither the build tree nor TASKSTORM_DATADIR/LIBEXECDIR to lean on.
out=$(cd / && env -u TASKSTORM_DATADIR -u TASKSTORM_LIBEXECDIR "$TASKSTORM" sandbox --bind "$dest" -- sh -c '
        cp -a "$1$2/." "$2/" && cd / && "$2/$3/taskstorm" run --list | wc -l &&
        "$2/$3/taskstorm" run 01-seed-docker' sh "$dest" "$prefix" "$(opt bindir)" 2>&1) ||
        fail "the installed taskstorm: $out"
echo "$out"
[ "$(head -n 1 <<<"$out")" = "$(wc -w <<<"$shipped")" ] || fail "run --list from the installed copy"
grep -q '^PASS   01-seed-docker' <<<"$out" || fail "the seed scenario did not pass from the installed copy"
grep -q "$prefix/$(opt libexecdir)/taskstorm/tsdockerd\|installed and started" <<<"$out" ||
        fail "no install phase in the seed's output"
echo "ok: the installed copy lists $(wc -w <<<"$shipped") scenarios and runs 01-seed-docker: PASS"
