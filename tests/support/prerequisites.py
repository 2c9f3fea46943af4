"""What some tests need from the machine, and what happens without it: a skip with the reason on a
developer's machine, a failure under CI=true (CI must prove everything)."""

import glob
import os

import pytest

MAKE_TEST = "`make test` installs it when run as root"


def missing_sandbox() -> str | None:
    from grader.safety.sandbox import sandbox_problem

    problem = sandbox_problem()
    return f"the grading sandbox cannot run here: {problem}" if problem else None


def missing_postgresql() -> str | None:
    from tests.servers import INITDB

    if not glob.glob(INITDB):
        return f"PostgreSQL is not installed (Debian's postgresql; {MAKE_TEST})"
    return None


def missing_chromium() -> str | None:
    from tests.browser import CHROMIUM

    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (Debian's chromium; {MAKE_TEST})"
    return None


def missing_fashion_mnist() -> str | None:
    from helpers.data import default_root, raw_folder

    folder = raw_folder(default_root())
    if len(glob.glob(str(folder / "*-ubyte*"))) < 4:
        return f"FashionMNIST is not in {folder}: run `make data` (or `make test`)"
    return None


CHECKS = {"sandbox": missing_sandbox, "database": missing_postgresql, "browser": missing_chromium,
          "notebooks": missing_fashion_mnist}
"""Marker -> the check of what the tests so marked need."""


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(marker: str) -> None:
    """Skip, or under CI fail, a test whose marker's prerequisite is missing (each check runs once)."""
    problem = _problem(marker)
    if problem:
        (pytest.fail if under_ci() else pytest.skip)(f"{problem} (needed by tests marked '{marker}')")


_found: dict[str, str | None] = {}


def _problem(marker: str) -> str | None:
    if marker not in _found:
        _found[marker] = CHECKS[marker]()
    return _found[marker]
