"""Collect: bring a class's submissions into the course folder, reporting what was skipped and why.

Accepted input, as a folder or a .zip downloaded from an LMS (extracted with nbgrader's own unzip):
- one folder per student: ``<student>/<lesson>.ipynb`` (or nbgrader's ``<student>/<lesson>/<lesson>.ipynb``);
- flat LMS file names matched by a regular expression with ``student_id`` and ``file_id`` groups, as in
  nbgrader's zip_collect (default: ``<student>_<anything>_<lesson>.ipynb``).
Submissions land in ``<course>/submitted/<student>/<lesson>/<lesson>.ipynb``.

A .zip inside the zip (a student who zipped their work) is expanded into a folder of its name, as
nbgrader's unzip does, down to ``ArchiveLimits.depth`` levels. Everything extracted is bounded
(``ArchiveLimits``: uncompressed bytes in all, files in all), counted as it is written, whatever the
archive claims: a nested archive past a bound is skipped with its reason and the rest is collected; a
download past them is refused as a whole before anything is copied into the course.
"""

import hashlib
import re
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

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
    """The input cannot be collected at all (missing, not a folder or zip, past the archive bounds)."""


@dataclass(frozen=True)
class ArchiveLimits:
    """What extracting a download may write."""

    total_bytes: int = 4 * 2**30  # uncompressed, all archives together
    members: int = 100_000  # files, all archives together
    depth: int = 3  # archives inside the download, inside those, ...


class ArchiveTooLarge(Exception):
    """An archive would write more than its bounds allow."""


@dataclass
class _Budget:
    bytes: int
    members: int


ARCHIVE_LIMITS = ArchiveLimits()
CHUNK = 2**20
UNREADABLE_MEMBER = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, ValueError)


def _write_member(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, budget: _Budget) -> None:
    """Copy one member to ``target``, counting the bytes actually written (a header can lie)."""
    with bundle.open(member) as stream, open(target, "wb") as out:
        while chunk := stream.read(CHUNK):
            budget.bytes -= len(chunk)
            if budget.bytes < 0:
                raise ArchiveTooLarge("more bytes uncompressed than the bound")
            out.write(chunk)


def _expand(archive: Path, into: Path, shown: str, limits: ArchiveLimits, budget: _Budget, depth: int,
            skipped: list[tuple[str, str]]) -> None:
    """Extract ``archive`` into ``into``, nested .zip files into folders of their names. A member that
    cannot be read, or whose path leaves the folder, is skipped; ArchiveTooLarge past the bounds."""
    with zipfile.ZipFile(archive) as bundle:
        for member in bundle.infolist():
            if member.is_dir():
                continue
            budget.members -= 1
            if budget.members < 0:
                raise ArchiveTooLarge(f"more than {limits.members} files")
            path = PurePosixPath(member.filename.replace("\\", "/"))
            name = f"{shown}/{member.filename}" if shown else member.filename
            if path.is_absolute() or ".." in path.parts or not path.parts:
                skipped.append((name, "its path leads out of the archive's folder"))
                continue
            target = into.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                _write_member(bundle, member, target, budget)
            except UNREADABLE_MEMBER as error:
                target.unlink(missing_ok=True)
                skipped.append((name, f"cannot be read from the archive ({type(error).__name__}: {error})"))
                continue
            if target.suffix.lower() == ".zip":
                _expand_nested(target, name, limits, budget, depth + 1, skipped)


def _expand_nested(archive: Path, shown: str, limits: ArchiveLimits, budget: _Budget, depth: int,
                   skipped: list[tuple[str, str]]) -> None:
    """Expand an archive found inside the download into a folder of its name; on any problem, skip it
    whole (with its reason) and give back what it had used of the bounds."""
    folder, before, made = archive.with_suffix(""), _Budget(budget.bytes, budget.members), False
    try:
        if depth > limits.depth:
            raise ArchiveTooLarge(f"it is nested {depth} archives deep, more than {limits.depth}")
        if folder.exists():
            raise ArchiveTooLarge(f"a folder {folder.name} is already beside it")
        folder.mkdir()
        made = True
        _expand(archive, folder, shown, limits, budget, depth, skipped)
    except (ArchiveTooLarge, *UNREADABLE_MEMBER) as error:
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        budget.bytes, budget.members = before.bytes, before.members
        reason = str(error) if isinstance(error, ArchiveTooLarge) else f"{type(error).__name__}: {error}"
        skipped.append((shown, f"archive not expanded: {reason} (the rest was collected)"))
    archive.unlink()


def extract(archive: Path, into: Path, limits: ArchiveLimits = ARCHIVE_LIMITS) -> list[tuple[str, str]]:
    """Extract a downloaded .zip into ``into`` within ``limits``; return what was skipped (path, reason).
    CollectError when it is not a zip file or when the download as a whole is past the bounds."""
    skipped: list[tuple[str, str]] = []
    try:
        _expand(archive, into, "", limits, _Budget(limits.total_bytes, limits.members), 0, skipped)
    except zipfile.BadZipFile as error:
        raise CollectError(f"{archive}: not a zip file ({error})") from None
    except ArchiveTooLarge as error:
        raise CollectError(f"{archive}: refused, it holds {error} (at most {limits.total_bytes} bytes and "
                           f"{limits.members} files uncompressed); nothing was collected. Split the download, "
                           "or extract it yourself and collect the folder") from None
    return skipped


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


def collect(source: Path, course_root: Path, pattern: str = DEFAULT_PATTERN,
            limits: ArchiveLimits = ARCHIVE_LIMITS) -> CollectReport:
    """Copy every recognisable submission under ``source`` (a folder or a .zip) into the course."""
    source = Path(source)
    if not source.exists():
        raise CollectError(f"{source}: no such folder or zip file")
    regex = re.compile(pattern)
    with tempfile.TemporaryDirectory(prefix="grader-collect-") as scratch:
        skipped = []
        if source.is_file():
            if source.suffix.lower() != ".zip":
                raise CollectError(f"{source}: expected a folder or a .zip file of submissions")
            skipped = extract(source, Path(scratch), limits)
            folder = Path(scratch)
        else:
            folder = source
        report = _collect_folder(folder, course_root, regex)
        report.skipped = skipped + report.skipped
        return report


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
