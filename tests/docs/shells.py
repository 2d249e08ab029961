"""Drive the generated completion scripts in a real bash and a real zsh, and read back the candidates."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASH_SCRIPT = ROOT / "mcsctl" / "data" / "mcsctl.bash"
ZSH_DIR = ROOT / "mcsctl" / "data"
BREAKS = "=:"  # the COMP_WORDBREAKS characters that matter for mcsctl command lines


def comp_words(line: str) -> list[str]:
    """Split a command line the way bash's readline fills COMP_WORDS (blanks; `=` and `:` apart;
    nothing splits inside quotes or after a backslash)."""
    words, cur, last_blank, quote, escaped = [], "", True, "", False
    for ch in line:
        if escaped or quote:
            cur += ch
            if escaped:
                escaped = False
            elif ch == quote:
                quote = ""
            elif ch == "\\" and quote == '"':
                escaped = True
            last_blank = False
        elif ch.isspace():
            if cur:
                words.append(cur)
            cur, last_blank = "", True
        elif ch in BREAKS:
            if cur and cur[-1] not in BREAKS:
                words.append(cur)
                cur = ""
            cur += ch
            last_blank = False
        else:
            if cur and cur[-1] in BREAKS:
                words.append(cur)
                cur = ""
            cur += ch
            quote = ch if ch in "'\"" else ""
            escaped = ch == "\\"
            last_blank = False
    if cur or last_blank:
        words.append(cur)
    return words


def bash_complete(lines: list[str], env: dict, script: Path = BASH_SCRIPT, pre: str = "") -> list[dict]:
    """Complete each line (cursor at its end) in one bash; [{"reply": [...], "output": "..."}]."""
    body = [f"source {shlex.quote(str(script))}", pre]
    for i, line in enumerate(lines):
        words = comp_words(line)
        body.append(
            f"COMP_LINE={shlex.quote(line)}; COMP_POINT=${{#COMP_LINE}}; "
            f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)}); COMP_CWORD={len(words) - 1}; "
            f'COMPREPLY=(); _mcsctl >"$OUT.{i}" 2>&1; '
            f'printf \'%s\\n\' "${{COMPREPLY[@]}}" >"$REPLY_FILE.{i}"'
        )
    tmp = Path(env["TMPDIR"])
    full_env = dict(env, OUT=str(tmp / "out"), REPLY_FILE=str(tmp / "reply"))
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", "\n".join(body)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and not proc.stdout and not proc.stderr, proc
    results = []
    for i in range(len(lines)):
        reply = (tmp / f"reply.{i}").read_text().splitlines()
        results.append({"reply": [r for r in reply if r], "output": (tmp / f"out.{i}").read_text()})
    return results


def need_zsh() -> str:
    """zsh's path; skip when it is absent, except in CI (CI=true), where it must exist (.ci/sysdeps)."""
    path = shutil.which("zsh")
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail("zsh is missing in CI: run .ci/sysdeps (make sysdeps)")
    pytest.skip("zsh is not installed (make sysdeps installs it)")


# Inside the pseudo-terminal: load the completion (autoloaded from fpath, or sourced after compinit),
# wrap compadd to record every match it adds, and bind TAB to a completion that reports its end.
_ZSH_INIT = r"""
PS1='' PROMPT='' RPROMPT=''
setopt nobeep
unsetopt zle_bracketed_paste 2>/dev/null
if [[ $ZCAP_MODE == fpath ]]; then
  fpath=($ZCAP_DIR $fpath); autoload -Uz compinit; compinit -u -D
else
  autoload -Uz compinit; compinit -u -D; source $ZCAP_DIR/_mcsctl
fi
compadd() {
  if (( ! ${@[(I)-[OAD]]} )); then
    local -a __c
    builtin compadd -A __c "$@"
    (( $#__c )) && print -rl -- $__c >>$ZCAP_OUT
  fi
  builtin compadd "$@"
}
__cap_done() { print -r -- '@@CAP''DONE@@'; }
__cap() { comppostfuncs=(__cap_done); _main_complete; }
zle -C __cap complete-word __cap
bindkey '^I' __cap
zstyle ':completion:*' menu no
print -r -- '@@READY''@@'
"""

_ZSH_DRIVER = r"""
zmodload zsh/zpty
: >$ZCAP_OUT
zpty z zsh -f -i
zpty -w z "source ${(q)ZCAP_INIT}"
zpty -r z out '*@@READY@@*' || exit 3
zpty -n -w z "$ZCAP_LINE"$'\t'
zpty -r z out '*@@CAPDONE@@*' || exit 4
zpty -d z
"""


def zsh_complete(line: str, env: dict, mode: str = "fpath", zdir: Path = ZSH_DIR) -> list[str]:
    """The matches a TAB at the end of `line` adds in a clean interactive `zsh -f` (sorted, unique)."""
    zsh = need_zsh()
    tmp = Path(env["TMPDIR"])
    init = tmp / "zinit.zsh"
    init.write_text(_ZSH_INIT)
    out = tmp / "zout"
    full_env = dict(env, ZCAP_MODE=mode, ZCAP_DIR=str(zdir), ZCAP_OUT=str(out), ZCAP_INIT=str(init), ZCAP_LINE=line)
    proc = subprocess.run([zsh, "-f", "-c", _ZSH_DRIVER], env=full_env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc
    return sorted(set(out.read_text().splitlines()))


def bash_readline(lines: list[str], env: dict, script: Path = BASH_SCRIPT, timeout: float = 30) -> list[list[str]]:
    """Type each line, then TAB and Enter, into a real interactive bash on a pseudo-terminal (real readline
    inserts the completion); `mcsctl` there is a function printing its arguments. The arguments each line
    ran with, as bash itself parsed the completed line."""
    import pty
    import select
    import signal
    import time

    # The markers are split by '' where they are typed, so that only bash's output has them whole.
    setup = (
        f"PS1=''; PS2='@@P''S2@@'; bind 'set bell-style none'; source {shlex.quote(str(script))}; "
        "mcsctl() { printf '@@A''RG@@%s' \"$@\"; printf '@@E''ND@@\\n'; }\n"
    )
    keys = setup + "".join(line + "\t\n" for line in lines)
    pid, fd = pty.fork()
    if pid == 0:  # the child: an interactive bash with nothing of the user's
        os.execvpe(
            "bash",
            ["bash", "--norc", "--noprofile", "-i"],
            dict(env, TERM="dumb", INPUTRC="/dev/null", HISTFILE="/dev/null"),
        )
    out = b""
    try:
        os.write(fd, keys.encode())
        deadline = time.monotonic() + timeout  # only a hang guard
        while out.count(b"@@END@@") < len(lines) and b"@@PS2@@" not in out and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    break
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    text = out.decode("utf-8", "replace").replace("\r\n", "\n")
    assert "@@PS2@@" not in text, f"a completed line was left open (unbalanced quotes): {text!r}"
    runs = [chunk.rsplit("\n", 1)[-1] for chunk in text.split("@@END@@")[:-1]]
    assert len(runs) == len(lines), text
    return [run.split("@@ARG@@")[1:] for run in runs]
