# bash completion for mcsctl 0.1.0
# Generated from the Typer app by `python -m mcsctl.build` (make regen): do not edit.
# Use: source <(mcsctl completion bash), or install as .../bash-completion/completions/mcsctl.
# Static on purpose: a TAB runs no Python while the server-name cache is fresh, and never prints.

# _mcsctl_spec PATH: what the command at PATH ("" or "maintenance on") has.
_mcsctl_spec() {
    _mcsctl_subs=() _mcsctl_hidden=() _mcsctl_opts=() _mcsctl_valued=() _mcsctl_args=()
    _mcsctl_rest= _mcsctl_inter=1
    case $1 in
    '')
        _mcsctl_subs=(servers switchover drain undrain rolling completion maintenance columnstore journal)
        _mcsctl_hidden=(maint cs)
        _mcsctl_opts=(--hosts -H --user -u --password -p --backend --maxctrl --timeout -t --secure -s --no-secure --tls-ca-cert --tls-verify-server-cert --no-tls-verify-server-cert --poll-interval --confirm-timeout --journal --no-journal --journal-fallback --lease-seconds --config --cmapi-key --cmapi-port --cmapi-ca-cert --columnstore --no-columnstore --cmapi-failover --no-cmapi-failover --quiet -q --verbose -v --notify --hook-timeout --notify-timeout --version --help)
        _mcsctl_valued=(--hosts -H --user -u --password -p --backend --maxctrl --timeout -t --tls-ca-cert --poll-interval --confirm-timeout --journal --journal-fallback --lease-seconds --config --cmapi-key --cmapi-port --cmapi-ca-cert --notify --hook-timeout --notify-timeout)
        _mcsctl_inter=0
        ;;
    'servers')
        _mcsctl_opts=(--format -f --help)
        _mcsctl_valued=(--format -f)
        ;;
    'switchover')
        _mcsctl_opts=(--to --dry-run --yes -y --skip-unreachable --takeover --format -f --help)
        _mcsctl_valued=(--to --format -f)
        ;;
    'drain')
        _mcsctl_opts=(--wait --drain-timeout --dry-run --skip-unreachable --takeover --format -f --help)
        _mcsctl_valued=(--drain-timeout --format -f)
        _mcsctl_args=('server')
        ;;
    'undrain')
        _mcsctl_opts=(--dry-run --skip-unreachable --takeover --format -f --help)
        _mcsctl_valued=(--format -f)
        _mcsctl_args=('server')
        ;;
    'rolling')
        _mcsctl_opts=(--servers --force --no-drain --drain-timeout --on-timeout --to --reason --expires --dry-run --yes -y --resume --catchup-timeout --takeover --skip-unreachable --allow-columnstore-primary --allow-unhealthy --columnstore-start --cs-settle --format -f --help)
        _mcsctl_valued=(--servers --drain-timeout --on-timeout --to --reason --expires --catchup-timeout --cs-settle --format -f)
        _mcsctl_rest='command'
        ;;
    'completion')
        _mcsctl_opts=(--help)
        _mcsctl_args=('w:bash zsh')
        ;;
    'maintenance')
        _mcsctl_subs=(on off status run extend reap)
        _mcsctl_opts=(--help)
        _mcsctl_inter=0
        ;;
    'maintenance on')
        _mcsctl_opts=(--force --no-drain --drain-timeout --on-timeout --switchover --to --allow-primary --allow-last --reason --expires --dry-run --yes -y --takeover --skip-unreachable --allow-columnstore-primary --allow-unhealthy --format -f --max-in-maintenance --help)
        _mcsctl_valued=(--drain-timeout --on-timeout --to --reason --expires --format -f --max-in-maintenance)
        _mcsctl_rest='server'
        ;;
    'maintenance off')
        _mcsctl_opts=(--wait-healthy --healthy-timeout --reason --dry-run --takeover --skip-unreachable --columnstore-start --cs-settle --format -f --help)
        _mcsctl_valued=(--healthy-timeout --reason --cs-settle --format -f)
        _mcsctl_rest='server'
        ;;
    'maintenance status')
        _mcsctl_opts=(--format -f --help)
        _mcsctl_valued=(--format -f)
        _mcsctl_args=('server')
        ;;
    'maintenance run')
        _mcsctl_opts=(--force --no-drain --drain-timeout --on-timeout --switchover --to --allow-primary --reason --expires --dry-run --yes -y --always-clear --healthy-timeout --takeover --skip-unreachable --allow-columnstore-primary --allow-unhealthy --columnstore-start --cs-settle --format -f --help)
        _mcsctl_valued=(--drain-timeout --on-timeout --to --reason --expires --healthy-timeout --cs-settle --format -f)
        _mcsctl_args=('server')
        _mcsctl_rest='command'
        ;;
    'maintenance extend')
        _mcsctl_opts=(--expires --reason --dry-run --takeover --help)
        _mcsctl_valued=(--expires --reason)
        _mcsctl_args=('server')
        ;;
    'maintenance reap')
        _mcsctl_opts=(--dry-run --takeover --skip-unreachable --format -f --help)
        _mcsctl_valued=(--format -f)
        ;;
    'maint')
        _mcsctl_subs=(on off status run extend reap)
        _mcsctl_opts=(--help)
        _mcsctl_inter=0
        ;;
    'maint on')
        _mcsctl_opts=(--force --no-drain --drain-timeout --on-timeout --switchover --to --allow-primary --allow-last --reason --expires --dry-run --yes -y --takeover --skip-unreachable --allow-columnstore-primary --allow-unhealthy --format -f --max-in-maintenance --help)
        _mcsctl_valued=(--drain-timeout --on-timeout --to --reason --expires --format -f --max-in-maintenance)
        _mcsctl_rest='server'
        ;;
    'maint off')
        _mcsctl_opts=(--wait-healthy --healthy-timeout --reason --dry-run --takeover --skip-unreachable --columnstore-start --cs-settle --format -f --help)
        _mcsctl_valued=(--healthy-timeout --reason --cs-settle --format -f)
        _mcsctl_rest='server'
        ;;
    'maint status')
        _mcsctl_opts=(--format -f --help)
        _mcsctl_valued=(--format -f)
        _mcsctl_args=('server')
        ;;
    'maint run')
        _mcsctl_opts=(--force --no-drain --drain-timeout --on-timeout --switchover --to --allow-primary --reason --expires --dry-run --yes -y --always-clear --healthy-timeout --takeover --skip-unreachable --allow-columnstore-primary --allow-unhealthy --columnstore-start --cs-settle --format -f --help)
        _mcsctl_valued=(--drain-timeout --on-timeout --to --reason --expires --healthy-timeout --cs-settle --format -f)
        _mcsctl_args=('server')
        _mcsctl_rest='command'
        ;;
    'maint extend')
        _mcsctl_opts=(--expires --reason --dry-run --takeover --help)
        _mcsctl_valued=(--expires --reason)
        _mcsctl_args=('server')
        ;;
    'maint reap')
        _mcsctl_opts=(--dry-run --takeover --skip-unreachable --format -f --help)
        _mcsctl_valued=(--format -f)
        ;;
    'columnstore')
        _mcsctl_subs=(status)
        _mcsctl_opts=(--help)
        _mcsctl_inter=0
        ;;
    'columnstore status')
        _mcsctl_opts=(--format -f --help)
        _mcsctl_valued=(--format -f)
        ;;
    'cs')
        _mcsctl_subs=(status)
        _mcsctl_opts=(--help)
        _mcsctl_inter=0
        ;;
    'cs status')
        _mcsctl_opts=(--format -f --help)
        _mcsctl_valued=(--format -f)
        ;;
    'journal')
        _mcsctl_subs=(export import)
        _mcsctl_opts=(--help)
        _mcsctl_inter=0
        ;;
    'journal export')
        _mcsctl_opts=(--file --help)
        _mcsctl_valued=(--file)
        ;;
    'journal import')
        _mcsctl_opts=(--file --help)
        _mcsctl_valued=(--file)
        ;;
    *) return 1 ;;
    esac
}

# _mcsctl_optkind PATH OPTION: what the option's value is (see _mcsctl_values).
_mcsctl_optkind() {
    case "$1|$2" in
    *'|--maxctrl'|*'|--tls-ca-cert'|*'|--config'|*'|--cmapi-ca-cert'|*'|--file')
        _mcsctl_kind='file' ;;
    *'|--to')
        _mcsctl_kind='server' ;;
    *'|--servers')
        _mcsctl_kind='servers' ;;
    *'|--backend')
        _mcsctl_kind='w:auto maxctrl rest' ;;
    *'|--on-timeout')
        _mcsctl_kind='w:fail force proceed' ;;
    *'|--journal-fallback')
        _mcsctl_kind='w:none local' ;;
    'maintenance reap|--format'|'maint reap|--format'|'maintenance reap|-f'|'maint reap|-f')
        _mcsctl_kind='w:table json' ;;
    'servers|--format'|'switchover|--format'|'drain|--format'|'undrain|--format'|'rolling|--format'|'maintenance on|--format'|'maintenance off|--format'|'maintenance status|--format'|'maintenance run|--format'|'maint on|--format'|'maint off|--format'|'maint status|--format'|'maint run|--format'|'columnstore status|--format'|'cs status|--format'|'servers|-f'|'switchover|-f'|'drain|-f'|'undrain|-f'|'rolling|-f'|'maintenance on|-f'|'maintenance off|-f'|'maintenance status|-f'|'maintenance run|-f'|'maint on|-f'|'maint off|-f'|'maint status|-f'|'maint run|-f'|'columnstore status|-f'|'cs status|-f')
        _mcsctl_kind='w:table json tsv' ;;
    *) _mcsctl_kind= ;;
    esac
}

# Rebuild the words up to the cursor: bash splits `--format=json` and `host:8989` at = and :
# (COMP_WORDBREAKS); a word that follows its neighbour without a blank is glued back on.
_mcsctl_words() {
    local line=${COMP_LINE:0:COMP_POINT} w ws n
    _mcsctl_w=()
    for w in "${COMP_WORDS[@]}"; do
        ws=${line%%[![:space:]]*}
        line=${line#"$ws"}
        n=${#_mcsctl_w[@]}
        if [[ -z $line ]]; then
            [[ -n $ws || $n -eq 0 ]] && _mcsctl_w+=("")
            return 0
        fi
        if [[ -z $ws && $n -gt 0 ]]; then
            _mcsctl_w[n-1]+=${line:0:${#w}}
        else
            _mcsctl_w+=("${line:0:${#w}}")
        fi
        line=${line:${#w}}
    done
    [[ -z ${line//[[:space:]]/} ]] || return 1
    [[ -n $line ]] && _mcsctl_w+=("")
    return 0
}

# Server names from the cache of this cluster ($_mcsctl_key); a missing cache is filled once (strict
# time limit), a stale one is used and refreshed in the background. Silent: any error just means no names.
# A password from the line goes to the fill in its environment, not in its argv (which `ps` shows).
_mcsctl_names() {
    local dir=${XDG_CACHE_HOME-} name
    [[ $dir == /* ]] || dir=$HOME/.cache  # relative or unset: ignored, as the XDG spec says (mcsctl/paths.py)
    dir+=/mcsctl
    local file=$dir/servers@${_mcsctl_key:-default}
    ((${#_mcsctl_pw[@]})) && local -x MCSCTL_PASSWORD="${_mcsctl_pw[0]}"
    _mcsctl_n=()
    if [[ ! -f $file ]]; then
        command -v timeout >/dev/null 2>&1 || return 0
        timeout 1 mcsctl -q ${_mcsctl_conn[@]+"${_mcsctl_conn[@]}"} servers --format tsv </dev/null >/dev/null 2>&1
    elif [[ -n $(command find "$file" -mmin +5 2>/dev/null) ]]; then
        # touch first: other TABs meanwhile see a fresh cache and start no second refresh
        (
            command touch "$file"
            if command -v timeout >/dev/null 2>&1; then
                timeout 10 mcsctl -q ${_mcsctl_conn[@]+"${_mcsctl_conn[@]}"} servers --format tsv
            fi &
        ) </dev/null >/dev/null 2>&1
    fi
    [[ -r $file ]] || return 0
    while IFS= read -r name || [[ -n $name ]]; do
        [[ -n $name ]] && _mcsctl_n+=("$name")
    done <"$file" 2>/dev/null
    return 0
}

# _mcsctl_keyof HOSTS: the cache key of a hosts string into _mcsctl_k, exactly as mcsctl.cache.key_for:
# bytewise (LC_ALL=C, whatever the user's locale), [A-Za-z0-9._,:-] kept, the rest `_`, 100 at most.
_mcsctl_keyof() {
    local LC_ALL=C
    _mcsctl_k=${1//[!A-Za-z0-9._,:-]/_}
    _mcsctl_k=${_mcsctl_k:0:100}
    [[ -n $_mcsctl_k ]] || _mcsctl_k=default
    return 0
}

# _mcsctl_unquote WORD: the word as the shell would hand it to mcsctl, into _mcsctl_u: quotes and
# backslashes removed, a leading ~/ expanded. Nothing is evaluated ($(...) stays text). A quote still open
# at the end goes to _mcsctl_uq, and what came before it (unquoted) to _mcsctl_ulead.
_mcsctl_unquote() {
    local w=$1 c q= i
    _mcsctl_u= _mcsctl_uq= _mcsctl_ulead=
    if [[ $w != *[\'\"\\]* ]]; then
        _mcsctl_u=$w
    else
        for ((i = 0; i < ${#w}; i++)); do
            c=${w:i:1}
            if [[ $q == "'" ]]; then
                if [[ $c == "'" ]]; then q=; else _mcsctl_u+=$c; fi
            elif [[ $c == '\' && ( -z $q || ${w:i+1:1} == [\"\\\$\`] ) ]]; then
                i=$((i + 1))
                _mcsctl_u+=${w:i:1}
            elif [[ $c == '"' ]]; then
                if [[ -n $q ]]; then q=; else q='"' _mcsctl_ulead=$_mcsctl_u; fi
            elif [[ -z $q && $c == "'" ]]; then
                q="'" _mcsctl_ulead=$_mcsctl_u
            else
                _mcsctl_u+=$c
            fi
        done
        _mcsctl_uq=$q
    fi
    [[ $w == "~" || $w == "~/"* ]] && _mcsctl_u=$HOME${_mcsctl_u#"~"}
    return 0
}

# _mcsctl_quote VALUE: VALUE as the text readline puts in place of the word being completed, into
# _mcsctl_q, so that bash reads the word back as VALUE (quotes, $, ;, backslashes and all). Uses the
# word's state from _mcsctl_unquote: unquoted, the whole word is replaced (printf %q); inside an open
# quote, readline replaces only what follows the quote and then closes it itself.
_mcsctl_quote() {
    local v=$1
    case $_mcsctl_uq in
    "'")
        v=${v:${#_mcsctl_ulead}}
        _mcsctl_q=${v//"'"/"'\\''"}
        ;;
    '"')
        v=${v:${#_mcsctl_ulead}}
        v=${v//'\'/'\\'} v=${v//'"'/'\"'} v=${v//'$'/'\$'} v=${v//'`'/'\`'}
        _mcsctl_q=${v//'!'/'"'"'!'"'"'}  # no history expansion: ! goes out in single quotes
        ;;
    *)
        printf -v _mcsctl_q %q "$v"
        _mcsctl_q=${_mcsctl_q//'\,'/,}  # a comma needs no backslash (%q escapes every { too)
        ;;
    esac
    return 0
}

# _mcsctl_values KIND CUR [PREFIX]: add to COMPREPLY the values of KIND that start with CUR.
_mcsctl_values() {
    local kind=$1 cur=$2 pre=${3-} w head part
    case $kind in
    w:*)
        for w in ${kind#w:}; do
            [[ $w == "$cur"* ]] && COMPREPLY+=("$pre$w")
        done
        ;;
    server)
        _mcsctl_unquote "$cur"  # match what the shell will pass; insert it quoted (_mcsctl_quote)
        cur=$_mcsctl_u
        _mcsctl_names
        for w in "${_mcsctl_n[@]}"; do
            [[ $w == "$cur"* ]] || continue
            _mcsctl_quote "$w"
            COMPREPLY+=("$pre$_mcsctl_q")
        done
        ;;
    servers)
        _mcsctl_unquote "$cur"
        cur=$_mcsctl_u
        head= part=$cur
        [[ $cur == *,* ]] && head=${cur%,*}, part=${cur##*,}
        _mcsctl_names
        for w in "${_mcsctl_n[@]}"; do
            [[ $w == "$part"* && ",$head" != *",$w,"* ]] || continue
            _mcsctl_quote "$head$w"
            COMPREPLY+=("$pre$_mcsctl_q")
        done
        compopt -o nospace 2>/dev/null
        ;;
    file)
        compopt -o filenames 2>/dev/null
        while IFS= read -r w; do COMPREPLY+=("$pre$w"); done < <(compgen -f -- "$cur")
        ;;
    command)
        while IFS= read -r w; do COMPREPLY+=("$pre$w"); done < <(compgen -c -- "$cur" | sort -u)
        ;;
    esac
    return 0
}

# _mcsctl_addconn OPTION [VALUE]: keep a global option that the cache fill passes on (same MaxScale,
# same way to reach it); -H/--hosts also names the cache. The password is kept apart (_mcsctl_pw).
_mcsctl_addconn() {
    case $1 in
    '--password'|'-p')
        (($# > 1)) || return 0
        _mcsctl_unquote "$2"
        _mcsctl_pw=("$_mcsctl_u")
        ;;
    '--hosts'|'-H'|'--user'|'-u'|'--backend'|'--maxctrl'|'--timeout'|'-t'|'--tls-ca-cert'|'--config')
        (($# > 1)) || return 0
        _mcsctl_unquote "$2"
        _mcsctl_conn+=("$1" "$_mcsctl_u")
        case $1 in
        '--hosts'|'-H') _mcsctl_hosts=$_mcsctl_u ;;
        esac
        ;;
    '--secure'|'-s'|'--no-secure'|'--tls-verify-server-cert'|'--no-tls-verify-server-cert') _mcsctl_conn+=("$1") ;;
    esac
    return 0
}

_mcsctl() {
    COMPREPLY=()
    local _mcsctl_subs _mcsctl_hidden _mcsctl_opts _mcsctl_valued _mcsctl_args _mcsctl_rest
    local _mcsctl_inter _mcsctl_kind _mcsctl_w _mcsctl_n _mcsctl_u _mcsctl_k _mcsctl_key
    local _mcsctl_uq _mcsctl_ulead _mcsctl_q
    local _mcsctl_hosts=${MCSCTL_HOSTS-}  # no -H on the line: mcsctl reads this one too
    local -a _mcsctl_conn=() _mcsctl_pw=()  # _mcsctl_pw: the password typed on the line, if any
    _mcsctl_words || return 0
    local last=$((${#_mcsctl_w[@]} - 1))
    local cur=${_mcsctl_w[last]} path= expect= w i npos=0 after=0
    _mcsctl_spec ""
    # mcsctl's global options also work after the command (anywhere before --): offered and passed on there too
    local -a _mcsctl_gopts=("${_mcsctl_opts[@]}") _mcsctl_gvalued=("${_mcsctl_valued[@]}") offer
    for ((i = 1; i < last; i++)); do
        w=${_mcsctl_w[i]}
        if [[ -n $expect ]]; then
            _mcsctl_addconn "$expect" "$w"
            expect=
            continue
        fi
        if ((after)) || [[ $_mcsctl_inter == 0 && $npos -gt 0 ]]; then
            npos=$((npos + 1))
            continue
        fi
        case $w in
        --) after=1; continue ;;
        --*=*)
            _mcsctl_addconn "${w%%=*}" "${w#*=}"
            continue
            ;;
        -?*)
            if [[ " ${_mcsctl_valued[*]} ${_mcsctl_gvalued[*]} " == *" $w "* ]]; then
                expect=$w
            else
                case $w in
                '-H'?*|'-u'?*|'-t'?*|'-p'?*) _mcsctl_addconn "${w:0:2}" "${w:2}" ;;  # -Hhost
                *) _mcsctl_addconn "$w" ;;
                esac
            fi
            continue
            ;;
        esac
        if [[ " ${_mcsctl_subs[*]} ${_mcsctl_hidden[*]} " == *" $w "* ]]; then
            path=${path:+$path }$w
            _mcsctl_spec "$path" || return 0
            npos=0
        else
            npos=$((npos + 1))
        fi
    done
    _mcsctl_keyof "$_mcsctl_hosts" 2>/dev/null
    _mcsctl_key=$_mcsctl_k
    if [[ -n $expect ]]; then
        _mcsctl_optkind "$path" "$expect"
        _mcsctl_values "$_mcsctl_kind" "$cur"
        return 0
    fi
    if ((!after)) && [[ $_mcsctl_inter == 1 || $npos -eq 0 ]]; then
        case $cur in
        --*=*)
            _mcsctl_optkind "$path" "${cur%%=*}"
            local pre=${cur%%=*}=
            [[ $COMP_WORDBREAKS == *=* ]] && pre=
            _mcsctl_values "$_mcsctl_kind" "${cur#*=}" "$pre"
            return 0
            ;;
        -*)
            offer=("${_mcsctl_opts[@]}")
            if [[ -n $path ]]; then  # the command's own first, then the global ones (--help once)
                for w in "${_mcsctl_gopts[@]}"; do
                    [[ " ${_mcsctl_opts[*]} " == *" $w "* ]] || offer+=("$w")
                done
            fi
            for w in "${offer[@]}"; do
                [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
            done
            return 0
            ;;
        esac
        if ((${#_mcsctl_subs[@]})); then
            for w in "${_mcsctl_subs[@]}"; do
                [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
            done
            return 0
        fi
    fi
    if ((npos < ${#_mcsctl_args[@]})); then
        _mcsctl_values "${_mcsctl_args[npos]}" "$cur"
    elif [[ $_mcsctl_rest == command ]]; then
        # COMMAND...: a command name first, then its arguments as files
        if ((npos == ${#_mcsctl_args[@]})); then
            _mcsctl_values command "$cur"
        else
            _mcsctl_values file "$cur"
        fi
    elif [[ -n $_mcsctl_rest ]]; then
        _mcsctl_values "$_mcsctl_rest" "$cur"
    elif ((!after && ${#_mcsctl_subs[@]} == 0)) && [[ -z $cur ]]; then
        COMPREPLY=("${_mcsctl_opts[@]}")  # nothing else can come here: offer the options
    fi
    return 0
}

complete -F _mcsctl mcsctl
