"""requirements.txt is the one place for pins; environment.yml must carry the same ones."""

import re

from grader.paths import REPO

PIN = re.compile(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)")


def pins(path) -> dict[str, str]:
    found = {}
    for line in (REPO / path).read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def test_every_requirement_is_pinned_exactly():
    lines = [line.split("#")[0].strip() for line in (REPO / "requirements.txt").read_text().splitlines()]
    unpinned = [line for line in lines if line and "==" not in line]
    assert not unpinned, f"requirements.txt has unpinned lines: {unpinned}"


def test_environment_yml_agrees_with_requirements():
    required, conda = pins("requirements.txt"), pins("environment.yml")
    assert required, "no pins found in requirements.txt"
    assert conda == required, (
        "environment.yml differs from requirements.txt: "
        f"only in requirements {set(required.items()) - set(conda.items())}, "
        f"only in environment.yml {set(conda.items()) - set(required.items())}")


def test_torch_pair_is_the_supported_one():
    required = pins("requirements.txt")
    assert (required["torch"], required["torchvision"]) == ("2.14.1", "0.29.1")


LOCK_LINE = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)\s*(?:;\s*(.+))?$")
NOT_LOCKED = {"pip", "setuptools", "wheel", "uv", "pytorch-basics-course"}  # tools and the course itself


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_entries(here_only: bool = False) -> dict[str, tuple[str, str | None]]:
    """{package: (version, environment marker or None)} of requirements.lock; with ``here_only``, only the
    entries whose marker holds in this environment (a universal lock may pin a package once per Python)."""
    from packaging.markers import Marker

    entries = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        match = LOCK_LINE.match(line.strip())
        if match and not (here_only and match.group(3) and not Marker(match.group(3)).evaluate()):
            entries[_canonical(match.group(1))] = (match.group(2), match.group(3))
    return entries


def test_the_lock_holds_every_pin_of_requirements_txt():
    locked = lock_entries()
    required = {_canonical(name): version for name, version in pins("requirements.txt").items()}
    differs = {name: (version, locked.get(name, ("missing",))[0]) for name, version in required.items()
               if locked.get(name, ("missing",))[0] != version}
    assert not differs, f"requirements.lock disagrees with requirements.txt (run `make lock`): {differs}"
    assert len(locked) > 3 * len(required), "the lock should pin every package beneath the list too"


def test_make_and_conda_install_through_the_lock():
    assert "-c requirements.lock" in (REPO / "Makefile").read_text()
    assert "- -c requirements.lock" in (REPO / "environment.yml").read_text()


def test_this_environment_is_exactly_the_lock():
    """Every package installed here is the locked version, and every package the lock needs here is installed."""
    import sysconfig
    from importlib import metadata

    site_packages = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    locked, anywhere = lock_entries(here_only=True), lock_entries()
    installed = {_canonical(dist.metadata["Name"]): dist.version
                 for dist in metadata.distributions(path=site_packages)}  # not the copies vendored inside packages
    wrong = {name: (version, locked[name][0]) for name, version in installed.items()
             if name in locked and version.split("+")[0] != locked[name][0]}
    unlocked = sorted(set(installed) - set(anywhere) - NOT_LOCKED)
    missing = sorted(set(locked) - set(installed))
    assert not wrong, f"installed versions differ from requirements.lock: {wrong}"
    assert not unlocked, f"installed but not in requirements.lock (run `make lock`): {unlocked}"
    assert not missing, f"in requirements.lock but not installed: {missing}"
