"""grader/'s rooms keep to their concern, and the README's architecture section names every module there is."""

import ast
import re

import pytest

from grader.paths import REPO

GRADER = REPO / "grader"
ROOMS = ("authoring", "grading", "safety")
FORBIDDEN = {  # room (or "hall") -> the rooms it must not import
    "safety": ("grader.grading", "grader.authoring"),
    "grading": ("grader.authoring",),
    "authoring": (),  # release stages sources with grading's layout
    "hall": tuple(f"grader.{room}" for room in ROOMS),
}
FRONT_ENDS = ("cli.py",)  # the command line dispatches to every room


def modules() -> dict[str, list[str]]:
    """{'hall' or room: [module file names]}, without package markers."""
    found = {"hall": sorted(p.name for p in GRADER.glob("*.py") if not p.name.startswith("__"))}
    for room in ROOMS:
        found[room] = sorted(p.name for p in (GRADER / room).glob("*.py") if not p.name.startswith("__"))
    return found


def imported(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_grader_has_three_rooms_and_a_hall():
    assert [p.name for p in sorted(GRADER.iterdir()) if p.is_dir() and not p.name.startswith("__")
            and p.name != "templates"] == list(ROOMS)


@pytest.mark.parametrize("place", ["hall", *ROOMS])
def test_no_module_imports_a_room_it_must_not(place):
    folder = GRADER if place == "hall" else GRADER / place
    wrong = {}
    for name in modules()[place]:
        if place == "hall" and name in FRONT_ENDS:
            continue
        reached = {module for module in imported(folder / name) if module.startswith(FORBIDDEN[place])}
        if reached:
            wrong[name] = sorted(reached)
    assert not wrong, f"grader/{'' if place == 'hall' else place + '/'} modules importing what they must not: {wrong}"


def test_the_trusted_writer_does_not_import_the_runner():
    assert "grader.grading.runner" not in imported(GRADER / "grading" / "record.py")


def test_the_readme_architecture_names_every_module():
    section = (REPO / "README.md").read_text().split("## Architecture", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", section, flags=re.DOTALL)))
    rows = {room: next((line for line in section.splitlines() if line.startswith(f"| `grader/{room}/`")), "")
            for room in ROOMS}
    missing = [f"grader/{name}" for name in modules()["hall"] if not {name, f"grader/{name}"} & named]
    for room in ROOMS:
        missing += [f"grader/{room}/{name}" for name in modules()[room]
                    if f"`{name.removesuffix('.py')}`" not in rows[room]]
    assert not missing, f"README's Architecture section does not name: {missing}"
