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
        f"environment.yml differs from requirements.txt: only in requirements {set(required.items()) - set(conda.items())}, "
        f"only in environment.yml {set(conda.items()) - set(required.items())}")


def test_torch_pair_is_the_supported_one():
    required = pins("requirements.txt")
    assert (required["torch"], required["torchvision"]) == ("2.14.1", "0.29.1")
