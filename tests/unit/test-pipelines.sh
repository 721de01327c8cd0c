#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ci/pipelines --check on a copy of the pipeline files and the ci/ scripts they call: the tree as
# it is passes, and each fault planted in a copy is named on a line of its own with exit 1 (a
# ${{ }} in a run: line, a flag ci/matrix does not take, GitLab's two lists of cells apart, an
# upload of another directory than ci/matrix --cell wrote, a file yamllint refuses).
# shellcheck disable=SC2016 # the $CELL and ${{ }} below are the pipeline files' text
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v yamllint >/dev/null || ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
        echo "SKIP: yamllint or python3-yaml is not installed (ci/deps installs both)"
        exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# fresh: a copy of what ci/pipelines --check reads and runs, in $tmp/tree
fresh() {
        rm -rf "$tmp/tree"
        mkdir -p "$tmp/tree/ci" "$tmp/tree/.github/workflows"
        cp "$src"/ci/pipelines "$src"/ci/matrix "$src"/ci/matrix-table "$src"/ci/matrix-row \
                "$src"/ci/matrixlib.py "$src"/ci/matrix-cache "$tmp/tree/ci/"
        cp "$src"/.github/workflows/matrix.yml "$tmp/tree/.github/workflows/"
        cp "$src"/.gitlab-ci.yml "$src"/.yamllint "$tmp/tree/"
}
# expect WHAT PATTERN: --check on the copy exits 1 and prints a line matching PATTERN
expect() {
        local status=0 out
        out=$("$tmp/tree/ci/pipelines" --check 2>&1) || status=$?
        if [ "$status" = 1 ] && grep -qE -- "$2" <<<"$out"; then
                echo "ok: $1"
        else
                echo "FAIL: $1: exit $status, no line matching '$2' in:"
                printf '    %s\n' "$out"
                failed=1
        fi
}

fresh
if out=$("$tmp/tree/ci/pipelines" --check 2>&1); then
        echo "ok: the files as they are: $out"
else
        echo "FAIL: the files as they are: $out"
        failed=1
fi

fresh
sed -i 's|run: sudo ci/matrix --cell "$CELL"|run: sudo ci/matrix --cell "${{ matrix.cell }}"|' "$tmp/tree/.github/workflows/matrix.yml"
expect 'an expression in a run: line' 'job cell, step [0-9]+: \$\{\{ \}\} in a run: line'

fresh
sed -i 's|ci/matrix --cell "$CELL" --out "cells/$CELL"|ci/matrix --cell "$CELL" --keep --out "cells/$CELL"|' "$tmp/tree/.gitlab-ci.yml"
expect 'a flag ci/matrix does not take' 'ci/matrix --keep: not an option its --help names'

fresh
sed -i 's/ trixie-sandbox-v2 sid-sandbox-v2$/ sid-sandbox-v2/' "$tmp/tree/.gitlab-ci.yml"
expect "GitLab's lists apart" 'the CELL list of job cell and MATRIX_CELLS differ: trixie-sandbox-v2'

fresh
sed -i 's|path: cells/${{ matrix.cell }}$|path: cells|' "$tmp/tree/.github/workflows/matrix.yml"
expect 'an upload of another directory' 'job cell: uploads cells, ci/matrix --cell writes cells/\$CELL'

fresh
printf 'stages: [cells, table]  \n' >>"$tmp/tree/.gitlab-ci.yml"
expect 'what yamllint refuses' 'trailing-spaces'

exit "$failed"
