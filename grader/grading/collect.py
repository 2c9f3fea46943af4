"""Collect: bring a class's submissions into the course folder, reporting what was skipped and why.

Accepted input, as a folder or a .zip downloaded from an LMS (extracted with nbgrader's own unzip):
- one folder per student: ``<student>/<lesson>.ipynb`` (or nbgrader's ``<student>/<lesson>/<lesson>.ipynb``);
- flat LMS file names matched by a regular expression with ``student_id`` and ``file_id`` groups, as in
  nbgrader's zip_collect (default: ``<student>_<anything>_<lesson>.ipynb``).
Submissions land in ``<course>/submitted/<student>/<lesson>/<lesson>.ipynb``.
"""

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.utils import unzip

from grader.files import write_atomically
from grader.grading import layout
from grader.paths import LESSON_STEMS

DEFAULT_PATTERN = r"^(?P<student_id>[A-Za-z0-9.\-]+?)_(?:.*_)?(?P<file_id>\d\d_[a-z_]+)\.ipynb$"
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$")


@dataclass
class CollectReport:
    """What collect found, copied and skipped (with reasons)."""

    collected: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def summary(self) -> str:
        students = {student for student, _ in self.collected + self.unchanged}
        lines = [f"found {len(self.collected) + len(self.unchanged)} submissions from {len(students)} students: "
                 f"{len(self.collected)} new or changed, {len(self.unchanged)} unchanged, {len(self.skipped)} skipped"]
        lines += [f"  skipped {path}: {reason}" for path, reason in self.skipped]
        return "\n".join(lines)


class CollectError(ValueError):
    """The input cannot be collected at all (missing, not a folder or zip)."""


def _candidates(folder: Path, pattern: re.Pattern):
    """Yield (path, student, lesson_name) for every file under ``folder``; None fields when unknown."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        if any(part.startswith(".") or part == "__MACOSX" for part in relative.parts):
            continue
        if len(relative.parts) >= 2:
            yield path, relative.parts[0], path.stem
        else:
            match = pattern.match(path.name)
            yield path, match.group("student_id") if match else None, match.group("file_id") if match else path.stem


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def collect(source: Path, course_root: Path, pattern: str = DEFAULT_PATTERN) -> CollectReport:
    """Copy every recognisable submission under ``source`` (a folder or a .zip) into the course."""
    source = Path(source)
    if not source.exists():
        raise CollectError(f"{source}: no such folder or zip file")
    regex = re.compile(pattern)
    with tempfile.TemporaryDirectory(prefix="grader-collect-") as scratch:
        if source.is_file():
            if source.suffix.lower() != ".zip":
                raise CollectError(f"{source}: expected a folder or a .zip file of submissions")
            unzip(str(source), scratch, zip_ext=[".zip"], create_own_folder=False, tree=True)
            folder = Path(scratch)
        else:
            folder = source
        return _collect_folder(folder, course_root, regex)


def _collect_folder(folder: Path, course_root: Path, pattern: re.Pattern) -> CollectReport:
    report, seen = CollectReport(), {}
    for path, student, lesson in _candidates(folder, pattern):
        shown = str(path.relative_to(folder))
        if path.suffix != ".ipynb":
            report.skipped.append((shown, "not a notebook (.ipynb)"))
        elif student is None:
            report.skipped.append((shown, f"cannot tell the student from the file name (pattern {pattern.pattern})"))
        elif not STUDENT_ID.match(student):
            report.skipped.append((shown, f"student id {student!r} has characters other than letters, digits, . - _"))
        elif lesson not in LESSON_STEMS:
            report.skipped.append((shown, f"unknown lesson name {lesson!r}; "
                                          f"expected one of {', '.join(LESSON_STEMS)}"))
        elif (student, lesson) in seen:
            report.skipped.append((shown, f"duplicate: {student} already submitted {lesson} "
                                          f"as {seen[student, lesson]}"))
        else:
            seen[student, lesson] = shown
            target = layout.notebook(course_root, "submitted", lesson, student)
            if target.exists() and _sha256(target) == _sha256(path):
                report.unchanged.append((student, lesson))
                continue
            write_atomically(target, path.read_bytes())
            report.collected.append((student, lesson))
    return report
