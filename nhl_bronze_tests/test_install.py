"""One set of versions: every install command of the README, the docs, CI and the image uses constraints.txt, whose
pins satisfy pyproject.toml, and the environment the tests run in is that set (so the demo, the UI and the tests
run on the same Dagster)."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from nhl_bronze_tests.e2e_support import REPO_ROOT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

CONSTRAINTS = REPO_ROOT / "constraints.txt"
INSTALLING_FILES = ["README.md", "docs/DEPLOYMENT.md", ".ci/run", "deploy/Dockerfile"]


def pins() -> dict[str, str]:
    pinned = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, pinned_version = line.partition("==")
            assert pinned_version, f"constraints.txt: {line!r} is not name==version"
            pinned[canonicalize_name(name)] = pinned_version
    return pinned


def requirements() -> list[Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    every = list(project["dependencies"])
    for name, extra in project["optional-dependencies"].items():
        if name != "bench":  # plots only; matplotlib floats
            every += extra
    return [Requirement(text) for text in every if not text.startswith("nhl-bronze")]


def test_constraints_pin_every_requirement_inside_its_range():
    pinned = pins()
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"constraints.txt does not pin {requirement.name} (pyproject: {requirement})"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside pyproject's {requirement}")
    # One Dagster release: the webserver, the daemon's and the postgres storage's versions move together.
    dagster = pinned["dagster"]
    assert pinned["dagster-webserver"] == pinned["dagster-graphql"] == pinned["dagster-pipes"] == dagster
    assert pinned["dagster-postgres"] == "0." + str(int(dagster.split(".")[1]) + 16) + "." + dagster.split(".")[2]


def test_every_install_command_uses_the_constraints():
    for name in INSTALLING_FILES:
        text = (REPO_ROOT / name).read_text(encoding="utf-8")
        commands = [m.group(0) for m in re.finditer(r"pip install[^\n`]*", text)]
        # (a --dry-run resolves without the constraints on purpose: it is how constraints.txt is regenerated)
        project_installs = [c for c in commands if ('"' in c or "-e ." in c or "'." in c) and "--dry-run" not in c]
        assert project_installs, f"{name}: no install command of the project found"
        for command in project_installs:
            assert "-c constraints.txt" in command, f"{name}: `{command}` installs without -c constraints.txt"


def test_the_environment_runs_the_pinned_versions():
    wrong = {}
    for name, pinned_version in pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # an extra this environment did not install
        if installed != pinned_version:
            wrong[name] = (installed, pinned_version)
    assert not wrong, f"installed vs constraints.txt: {wrong} (install with -c constraints.txt)"
