"""man/mcsctl.1: lint-clean roff, renders with man(1), complete sections, exact exit-code table."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from mcsctl import __version__
from mcsctl.build.manpage import EXIT_TEXT, roff_code, roff_text
from mcsctl.errors import ExitCode

from .shells import ROOT

MAN = ROOT / "man" / "mcsctl.1"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{tool} is missing in CI: run .ci/sysdeps (make sysdeps)")
    pytest.skip(f"{tool} is not installed (make sysdeps installs groff)")


def test_groff_reports_no_warnings():
    proc = subprocess.run([need("groff"), "-man", "-ww", "-z", str(MAN)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == ""


@pytest.fixture(scope="module")
def rendered() -> str:
    need("man")
    env = dict(os.environ, MANWIDTH="80", LANG="C.UTF-8", MAN_DISABLE_SECCOMP="1")
    page = subprocess.run(["man", "-l", str(MAN)], capture_output=True, env=env, timeout=60, check=True).stdout
    return subprocess.run(["col", "-b"], input=page, capture_output=True, timeout=60, check=True).stdout.decode()


def section(text: str, name: str) -> str:
    lines = text.splitlines()
    start = lines.index(name) + 1
    end = next((i for i in range(start, len(lines)) if lines[i] and not lines[i][0].isspace()), len(lines))
    return "\n".join(lines[start:end])


def test_man_renders_every_section(rendered):
    for name in (
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "GLOBAL OPTIONS",
        "COMMANDS",
        "EXIT STATUS",
        "ENVIRONMENT",
        "FILES",
        "EXAMPLES",
        "SEE ALSO",
    ):
        assert name in rendered.splitlines(), name
    assert "mcsctl - safe MaxScale maintenance" in section(rendered, "NAME")
    assert "mcsctl maintenance run [options] SERVER -- COMMAND [ARG...]" in section(rendered, "SYNOPSIS")
    assert "maxctrl(1)" in section(rendered, "SEE ALSO")
    examples = section(rendered, "EXAMPLES")
    assert 'mcsctl maintenance run mcs3 --reason "kernel update" -- ssh {address} sudo reboot' in examples
    assert "mcsctl rolling -- ssh {address} sudo systemctl restart mariadb" in examples
    assert "maxctrl set server mcs2 maintenance" in examples
    description = section(rendered, "DESCRIPTION")
    assert "maxctrl list servers" in description and "Maintenance" in description
    commands = section(rendered, "COMMANDS")
    assert "-f, --format table|json|tsv" in commands and "Default: table." in commands
    env = section(rendered, "ENVIRONMENT")
    for var in ("MCSCTL_HOSTS", "MCSCTL_PASSWORD", "NO_COLOR", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        assert var in env
    files = section(rendered, "FILES")
    assert "config.toml" in files and "journal.jsonl" in files and "mcsctl/servers" in files


def test_exit_status_lists_every_code_with_its_meaning(rendered):
    assert set(EXIT_TEXT) == set(ExitCode)
    text = " ".join(section(rendered, "EXIT STATUS").split())
    for code in ExitCode:
        assert f"{int(code)} {' '.join(EXIT_TEXT[code].split())}" in text


def test_title_line_carries_the_version_not_a_date():
    th = next(line for line in MAN.read_text().splitlines() if line.startswith(".TH "))
    assert th == f'.TH MCSCTL 1 "mcsctl {__version__}" "mcsctl {__version__}" "User Commands"'


def test_no_text_line_starts_with_a_control_character_by_accident():
    lines = MAN.read_text().splitlines()
    macros = {
        ".TH",
        ".SH",
        ".SS",
        ".TP",
        ".PP",
        ".RS",
        ".RE",
        ".IP",
        ".nf",
        ".fi",
        ".br",
        ".B",
        ".BR",
        ".I",
        ".nh",
        '.\\"',
    }
    for line in lines:
        if line[:1] in (".", "'"):
            assert line.split(" ", 1)[0] in macros, line


def test_roff_escaping():
    assert roff_text("use --force or -y, not caught-up") == "use \\-\\-force or \\-y, not caught-up"
    assert roff_text(".hidden") == "\\&.hidden"
    assert roff_text("'quoted") == "\\&'quoted"
    assert roff_text("a\\b") == "a\\eb"
    assert roff_text("after --)") == "after \\-\\-)"
    assert roff_code("ssh -l x {address}") == "ssh \\-l x {address}"
