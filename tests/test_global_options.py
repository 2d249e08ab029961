"""Global options after the command (`mcsctl servers -H mx1`): moved before it by cli.run, in process."""

from __future__ import annotations

import sys

import pytest
import typer

from mcsctl import argv, cli


@pytest.fixture(scope="module")
def root():
    return typer.main.get_command(cli.app)


@pytest.mark.parametrize(
    "given,expected",
    [
        ("servers -H mx1 --format json", "-H mx1 servers --format json"),
        ("servers --format json -Hmx1 -t3 -q", "-Hmx1 -t3 -q servers --format json"),
        ("maintenance on mcs3 --yes -H a,b", "-H a,b maintenance on mcs3 --yes"),
        ("maintenance on mcs3 -yq -Hx", "-q -Hx maintenance on mcs3 -y"),  # a cluster is split
        ("maintenance on mcs3 -yH x", "-H x maintenance on mcs3 -y"),
        ("maintenance -H y on mcs3", "-H y maintenance on mcs3"),
        ("maint off mcs3 --hosts=z --no-secure --wait-healthy", "--hosts=z --no-secure maint off mcs3 --wait-healthy"),
        ("-H a servers -H b", "-H a -H b servers"),  # the later one still wins
        ("--hosts servers servers -u x", "--hosts servers -u x servers"),
        ("servers --help -H x", "-H x servers --help"),
        ("completion bash -t 1", "-t 1 completion bash"),
        ("maintenance on mcs3 -f json -p secret", "-p secret maintenance on mcs3 -f json"),
        # an option's value is never read as an option, whatever it looks like
        ("maintenance on mcs3 --reason -H", "maintenance on mcs3 --reason -H"),
        ("maintenance on mcs3 --reason=-H -v", "-v maintenance on mcs3 --reason=-H"),
        ("maintenance on mcs3 --drain-timeout -t -t 2", "-t 2 maintenance on mcs3 --drain-timeout -t"),
        # nothing after `--` moves: COMMAND's own arguments
        ("maintenance run mcs3 -- ssh -H x", "maintenance run mcs3 -- ssh -H x"),
        ("maintenance run mcs3 -H y -- ssh -H x -q", "-H y maintenance run mcs3 -- ssh -H x -q"),
        ("rolling --servers a -H x -- ssh -H y", "-H x rolling --servers a -- ssh -H y"),
        ("rolling -H x ssh -H y", "-H x rolling ssh -H y"),  # rolling's options end at COMMAND
        # nor once COMMAND has begun without `--` (Click still reports -H there, as it did)
        ("maintenance run mcs3 -H y ssh -H x", "-H y maintenance run mcs3 ssh -H x"),
        ("maintenance run mcs3 ssh host -q", "maintenance run mcs3 ssh host -q"),
        ("maintenance on mcs3 extra -H y", "-H y maintenance on mcs3 extra"),
        # SERVER... is not COMMAND...: options may follow any of the servers
        ("maintenance on mcs2 mcs3 -H y --yes", "-H y maintenance on mcs2 mcs3 --yes"),
        ("maintenance off mcs2 -H y mcs3", "-H y maintenance off mcs2 mcs3"),
        # left for Click to report
        ("nosuch -H x", "nosuch -H x"),
        ("servers --nosuch -H x", "-H x servers --nosuch"),
    ],
)
def test_global_options_move_before_the_first_subcommand(root, given, expected):
    assert " ".join(argv.global_options_first(root, given.split())) == expected


def test_no_subcommand_option_shares_a_name_with_a_global_one(root):
    """So an option means one thing wherever it stands (the subcommand's own would win)."""
    globals_ = set(argv._switches(root))

    def walk(cmd, path):
        for name, sub in getattr(cmd, "commands", {}).items():
            clash = globals_ & set(argv._switches(sub))
            assert not clash, f"{' '.join(path + [name])} redeclares {sorted(clash)}"
            walk(sub, path + [name])

    walk(root, [])


def test_every_global_option_is_accepted_after_the_command(root, monkeypatch, capsys, tmp_path):
    """Each global option of the callback, given after `maintenance status`, reaches the settings."""
    seen = {}

    def fake_status(st, server, fmt):
        seen.update(st.flags, config=st.config)

    import mcsctl.cli_maintenance

    monkeypatch.setattr(mcsctl.cli_maintenance, "show_status", fake_status)
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    argv = [
        "mcsctl",
        "maintenance",
        "status",
        "-H",
        "mx1:1",
        "-u",
        "ops",
        "-p",
        "pw",
        "--backend",
        "rest",
        "--maxctrl",
        "/bin/true",
        "-t",
        "3",
        "-s",
        "--tls-ca-cert",
        "/ca.pem",
        "--no-tls-verify-server-cert",
        "--poll-interval",
        "0.2",
        "--confirm-timeout",
        "4",
        "--journal",
        "/j",
        "--no-journal",
        "--journal-fallback",
        "local",
        "--lease-seconds",
        "7",
        "--config",
        str(cfg),
        "-v",
        "--notify",
        "http://h/x",
        "--hook-timeout",
        "7",
        "--notify-timeout",
        "2",
        "--cmapi-key",
        "k",
        "--cmapi-port",
        "8641",
        "--cmapi-ca-cert",
        "/cs.pem",
        "--no-columnstore",
        "--no-cmapi-failover",
    ]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.delenv("MCSCTL_JOURNAL_PASSWORD", raising=False)
    with pytest.raises(SystemExit) as e:
        cli.run()
    assert e.value.code == 0, capsys.readouterr()
    assert seen == dict(
        hosts="mx1:1",
        user="ops",
        password="pw",
        backend="rest",
        maxctrl="/bin/true",
        timeout=3.0,
        secure=True,
        tls_ca_cert="/ca.pem",
        tls_verify_server_cert=False,
        poll_interval=0.2,
        confirm_timeout=4.0,
        journal="/j",
        no_journal=True,
        journal_fallback="local",
        lease_seconds=7.0,
        journal_password=None,  # never a flag: MCSCTL_JOURNAL_PASSWORD or the config file
        verbose=1,
        config=str(cfg),
        notify=["http://h/x"],
        hook_timeout=7.0,
        notify_timeout=2.0,
        cmapi_key="k",
        cmapi_port=8641,
        cmapi_ca_cert="/cs.pem",
        columnstore=False,
        cmapi_failover=False,
    )
    names = {n for p in root.params for n in getattr(p, "opts", [])}
    assert {
        "-H",
        "-u",
        "-p",
        "--backend",
        "--maxctrl",
        "-t",
        "-s",
        "--tls-ca-cert",
        "--poll-interval",
        "--confirm-timeout",
        "--journal",
        "--no-journal",
        "--journal-fallback",
        "--lease-seconds",
        "--config",
        "-v",
        "--notify",
        "--hook-timeout",
        "--notify-timeout",
    } <= names


@pytest.mark.parametrize("flag,out", [("--version", "mcsctl "), ("-q", "")])
def test_flags_after_the_command(monkeypatch, capsys, flag, out):
    monkeypatch.setattr(sys, "argv", ["mcsctl", "completion", "bash", flag])
    with pytest.raises(SystemExit) as e:
        cli.run()
    assert e.value.code == 0
    printed = capsys.readouterr().out
    assert printed.startswith(out if out else "# bash completion for mcsctl")


def test_a_global_option_missing_its_value_at_the_end_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["mcsctl", "servers", "-t"])
    with pytest.raises(SystemExit) as e:
        cli.run()
    assert e.value.code == 2
    assert capsys.readouterr().err == "mcsctl: error: Option '-t' requires an argument.\n"
