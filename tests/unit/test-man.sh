#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# taskstorm(1) against the binary, so that the page cannot drift: the same verbs, each with the same
# options as its --help, the same global options and the same exit statuses. (The scenario keys of
# taskstorm.scenario(5) are checked against the parser's table in test-scenario.c.)
set -euo pipefail
: "${TASKSTORM:?TASKSTORM must name the taskstorm binary}"
page="$(dirname "$0")/../../docs/man/taskstorm.1.scd"
status=0
differ() { # what, from --help, from the page
        [ "$2" = "$3" ] && return 0
        echo "not ok: $1: --help and taskstorm(1) differ:"
        diff <(tr ' ' '\n' <<<"$2") <(tr ' ' '\n' <<<"$3") | sed 's/^</  --help:/; s/^>/  page:  /' | grep '^  ' || true
        status=1
}
words() { sort -u | tr '\n' ' ' | sed 's/ $//'; }
# The lines of a block of text: from the line matching $1 to the next matching $2.
block() { awk -v from="$1" -v to="$2" '$0 ~ from {on = 1; next} on && $0 ~ to {exit} on'; }
# The long options of option lines (indented, starting with a dash), --help left out.
help_options() { grep -oE '^ +(-[a-z] +)?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+' | grep -vx -- --help | words; }
page_options() { grep -oE '^\*--[a-z][a-z-]*\*' | tr -d '*' | grep -vx -- --help | words; }

main_help=$("$TASKSTORM" --help)
verbs=$(block '^Verbs:' '^$' <<<"$main_help" | awk '{print $1}' | words)
differ "verbs" "$verbs" "$(grep -oE '^## taskstorm [a-z]+' "$page" | awk '{print $3}' | words)"
differ "global options" "$(block '^Global options:' '^$' <<<"$main_help" | help_options)" \
        "$(block '^# GLOBAL OPTIONS' '^# ' <"$page" | page_options)"
differ "exit statuses" "$(block '^Exit status:' '^$' <<<"$main_help" | awk '{print $1}' | words)" \
        "$(block '^# EXIT STATUS' '^# ' <"$page" | grep -oE '^\*[0-9]+\*' | tr -d '*' | words)"
for v in $verbs; do
        differ "$v's options" "$("$TASKSTORM" "$v" --help | help_options)" \
                "$(block "^## taskstorm $v( |\$)" '^#' <"$page" | page_options)"
done
[ "$status" = 0 ] && echo "ok: taskstorm(1) has the $(wc -w <<<"$verbs") verbs, their options, the global options and exit statuses of --help"
exit "$status"
