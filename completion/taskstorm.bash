# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for taskstorm(1). Verbs and options come from taskstorm's own --help, so that they
# follow the binary; shipped scenario names from `taskstorm run --list`.

_taskstorm() {
        local cur prev words cword split
        _init_completion -s || return

        local i verb=
        for ((i = 1; i < cword; i++)); do
                [[ ${words[i]} != -* ]] && verb=${words[i]} && break
        done

        if [[ -z $verb ]]; then
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W '--help --version --no-sandbox' -- "$cur"))
                else
                        local verbs
                        verbs=$("$1" --help 2>/dev/null | awk '/^Verbs:/ {on = 1; next} /^$/ {on = 0} on {print $1}')
                        COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
                fi
                return
        fi

        # After --, a command line of its own (inject, sandbox, vm).
        for ((i = i + 1; i < cword; i++)); do
                [[ ${words[i]} == -- ]] && { _command_offset $((i + 1)); return; }
        done

        case $prev in
        --log | --root | --image | --bind | --report-dir)
                _filedir
                [[ $prev == --log ]] && COMPREPLY+=($(compgen -W '-' -- "$cur"))
                return ;;
        --kind) COMPREPLY=($(compgen -W 'fork thread exec mixed' -- "$cur")); return ;;
        --format) COMPREPLY=($(compgen -W 'text json tap' -- "$cur")); return ;;
        --what) COMPREPLY=($(compgen -W 'threads processes all' -- "$cur")); return ;;
        --release | --kernel) COMPREPLY=($(compgen -W 'bookworm trixie sid' -- "$cur")); return ;;
        --cgroup) COMPREPLY=($(compgen -W 'v2 v1' -- "$cur")); return ;;
        --json) $split && COMPREPLY=($(compgen -W 'pretty short' -- "$cur")) && return ;;
        --check)
                COMPREPLY=($(compgen -W "$("$1" qualify --list 2>/dev/null | awk '{print $1}')" -- "$cur"))
                return ;;
        --tasks-max | --slice-tasks-max | --tasks | --max-tasks | --hold | --stop-after-failures | \
        --since | --threshold | --errno | --nth | --after | --every | --probability | --seed | \
        --boot-timeout | --guard | --timeout | --memory | --cpus)
                return ;;
        esac

        $split && return
        if [[ $cur == -* ]]; then
                local opts
                opts=$("$1" "$verb" --help 2>/dev/null | grep -oE '^ +(-[a-z] )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+')
                COMPREPLY=($(compgen -W "$opts" -- "$cur"))
                return
        fi

        case $verb in
        run)
                _filedir scenario
                COMPREPLY+=($(compgen -W "$("$1" run --list 2>/dev/null | awk '{print $1}')" -- "$cur")) ;;
        check | fix)
                COMPREPLY=($(compgen -W "$(systemctl list-units --all --plain --no-legend --type=service,scope,slice 2>/dev/null |
                        awk '{print $1}')" -- "$cur")) ;;
        esac
}
complete -F _taskstorm taskstorm
