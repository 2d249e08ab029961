"""The collection as Ansible sees it: ansible-doc renders it, ansible-galaxy packs it, the documented options
are the argument spec (what `ansible-test sanity --test validate-modules` checks, which needs the network),
and a module without mcsctl says so in one line."""

from __future__ import annotations

import ast
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from mcsctl import ansible_options

from .conftest import BIN, COLLECTION, ansible_env

yaml = pytest.importorskip("yaml")
MODULES = ("maintenance", "server_info", "switchover")


def _docs(path: Path) -> dict[str, str]:
    tree = ast.parse(path.read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out.update({k: v for n in node.body if isinstance(n, ast.Assign) for k, v in _docs_of(n).items()})
        elif isinstance(node, ast.Assign):
            out.update(_docs_of(node))
    return out


def _docs_of(node: ast.Assign) -> dict[str, str]:
    target = node.targets[0]
    if isinstance(target, ast.Name) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
        return {target.id: node.value.value}
    return {}


def _documented(module: str) -> dict[str, dict]:
    """The module's options as its DOCUMENTATION and the doc fragments it extends give them."""
    doc = yaml.safe_load(_docs(COLLECTION / "plugins/modules" / f"{module}.py")["DOCUMENTATION"])
    fragments = _docs(COLLECTION / "plugins/doc_fragments/common.py")
    options = dict(doc.get("options") or {})
    for name in doc["extends_documentation_fragment"]:
        attr = name.split(".")[3].upper() if name.count(".") == 3 else "DOCUMENTATION"
        options.update(yaml.safe_load(fragments[attr])["options"])
    return options


def _own_spec(module: str) -> dict[str, dict]:
    """The OWN argument spec a module adds (read from its source, without Ansible)."""
    src = (COLLECTION / "plugins/modules" / f"{module}.py").read_text()
    tree = ast.parse(src)
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "OWN":
            return ast.literal_eval(node.value)
    return {"roll": {"type": "bool", "default": False}, "roll_servers": {"type": "list", "elements": "str"}}


@pytest.mark.parametrize("module", MODULES)
def test_the_documented_options_are_the_argument_spec(module):
    spec = {**ansible_options.common_options(), **ansible_options.change_options(module), **_own_spec(module)}
    documented = _documented(module)
    assert sorted(documented) == sorted(spec)
    for name, s in spec.items():
        d = documented[name]
        assert d["type"] == s["type"], name
        assert d.get("default") == s.get("default"), name
        assert d.get("choices") == s.get("choices"), name
        assert d.get("elements") == s.get("elements"), name
        assert ("never logged" in d["description"]) == bool(s.get("no_log")), name


def test_ansible_doc_renders_every_module_and_the_role(tmp_path):
    env = ansible_env(tmp_path)
    for module in MODULES:
        r = subprocess.run(
            [str(BIN / "ansible-doc"), f"mcsctl.maxscale.{module}"], env=env, capture_output=True, text=True
        )
        assert r.returncode == 0 and "ERROR" not in r.stderr, r.stderr
        assert "maxscale_hosts" in r.stdout and "EXAMPLES" in r.stdout and "RETURN VALUES" in r.stdout
    r = subprocess.run(
        [str(BIN / "ansible-doc"), "mcsctl.maxscale.maintenance"], env=env, capture_output=True, text=True
    )
    assert "max_in_maintenance" in r.stdout and "on_timeout" in r.stdout and "never logged" in r.stdout
    r = subprocess.run(
        [str(BIN / "ansible-doc"), "-t", "role", "mcsctl.maxscale.rolling"], env=env, capture_output=True, text=True
    )
    assert r.returncode == 0 and "mcsctl_rolling_command" in r.stdout, r.stderr


def test_ansible_galaxy_packs_the_collection(tmp_path):
    r = subprocess.run(
        [str(BIN / "ansible-galaxy"), "collection", "build", str(COLLECTION), "--output-path", str(tmp_path)],
        env=ansible_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    (tarball,) = tmp_path.glob("mcsctl-maxscale-*.tar.gz")
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    for member in (
        "MANIFEST.json",
        "meta/runtime.yml",
        "plugins/modules/maintenance.py",
        "plugins/module_utils/mcsctl_common.py",
        "plugins/doc_fragments/common.py",
        "roles/rolling/tasks/node.yml",
        "examples/fleet.yml",
    ):
        assert member in names, member


def test_without_mcsctl_the_module_says_so_in_one_line(tmp_path):
    python = "/usr/bin/python3"
    probe = subprocess.run([python, "-c", "import mcsctl"], capture_output=True, cwd=tmp_path)
    if probe.returncode == 0 or not Path(python).exists():
        pytest.skip(f"{python} is missing or has mcsctl")
    env = ansible_env(tmp_path) | {"ANSIBLE_PYTHON_INTERPRETER": python}
    argv = [str(BIN / "ansible"), "localhost", "-c", "local", "-i", "localhost,", "-m", "mcsctl.maxscale.server_info"]
    r = subprocess.run(
        [*argv, "-a", json.dumps({"user": "bob"})], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert r.returncode == 2 and "mcsctl cannot be imported by" in r.stdout and "ansible_python_interpreter" in r.stdout
    assert "Traceback" not in r.stdout


def test_the_fleet_examples_parse(tmp_path):
    examples = COLLECTION / "examples"
    for book in ("fleet.yml", "restart-command.yml"):
        r = subprocess.run(
            [
                str(BIN / "ansible-playbook"),
                "--syntax-check",
                "-i",
                str(examples / "inventory.yml"),
                str(examples / book),
            ],
            env=ansible_env(tmp_path),
            capture_output=True,
            text=True,
            cwd=examples,
        )
        assert r.returncode == 0, r.stdout + r.stderr
