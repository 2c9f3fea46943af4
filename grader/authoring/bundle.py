"""The student bundle: what learners get (released lessons, helpers, set-up files), checked for leaks.

Nothing from ``solutions/``, ``grader/`` or ``tests/`` goes in. Before the bundle is written, every
file in it is scanned for text that only the solutions hold (solution code, hidden tests, markers),
and every lesson's visible tests and knowledge checks for solution code (``grader.authoring.leaks``: text that
is also in a visible test is no secret to the first scan); a bundle that would leak is not written.
"""

import re
import shutil
import zipfile
from pathlib import Path

import nbformat

from grader.authoring.leaks import find_leaks
from grader.notebooks import SECRET_BLOCKS, read
from grader.paths import LESSONS, REPO, SOLUTIONS, written_lessons

SET_UP_FILES = ("Makefile", "requirements.txt", "requirements.lock", "environment.yml")  # make lab needs all
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
SHORTEST_SECRET = 20  # characters of a hidden-test line, or of two consecutive solution lines


class LeakFound(Exception):
    """The bundle would contain text that only the solutions may hold."""


def _normalized(text: str) -> str:
    """Each line stripped of indentation, so code is found wherever it is pasted."""
    return "\n".join(line.strip() for line in text.splitlines())


def secrets_of(solutions: Path = SOLUTIONS) -> set[str]:
    """Text only the solutions hold: every hidden-test line, and every two consecutive solution lines
    (single solution lines, like ``if torch.cuda.is_available():``, are ordinary PyTorch), that is long
    enough to be telling and appears nowhere outside the solution and hidden-test blocks."""
    secrets, public = set(), []
    for path in sorted(solutions.glob("*.ipynb")):
        for cell in read(path).cells:
            public.append(_normalized(SECRET_BLOCKS.sub("", cell.source)))
            for match in SECRET_BLOCKS.finditer(cell.source):
                lines = [line for line in _normalized(match.group(2)).splitlines() if line]
                if match.group(1) == "HIDDEN TESTS":
                    secrets |= set(lines)
                else:
                    secrets |= {f"{first}\n{second}" for first, second in zip(lines, lines[1:], strict=False)}
    public_text = "\n".join(public)
    return {secret for secret in secrets if len(secret) >= SHORTEST_SECRET and secret not in public_text}


def _texts(path: Path) -> list[str]:
    """The text a learner could read in a file: for notebooks, every cell's source and outputs."""
    if path.suffix != ".ipynb":
        return [path.read_text(errors="replace")]
    texts = []
    for cell in nbformat.read(path, as_version=4).cells:
        texts.append(cell.source)
        for output in cell.get("outputs", []):
            texts += [str(output.get("text", "")), str(output.get("evalue", "")), str(output.get("traceback", "")),
                      str(output.get("data", {}).get("text/plain", ""))]
    return texts


def leaks(folder: Path, secrets: set[str] | None = None) -> list[str]:
    """Every leak under ``folder``: a file holding secret text or a marker, or a grader-only folder."""
    secrets = secrets_of() if secrets is None else secrets
    found = [f"{name}/ must not be in the bundle" for name in ("solutions", "grader", "tests")
             if (folder / name).exists()]
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = "\n".join(_normalized(text) for text in _texts(path))
        where = path.relative_to(folder)
        found += [f"{where}: holds the marker {marker!r}" for marker in MARKERS if marker in text]
        found += [f"{where}: holds solution or hidden-test text {secret!r}" for secret in sorted(secrets)
                  if secret in text]
    return found


REPOSITORY_ONLY = re.compile(r"<!-- repository only -->.*?<!-- end repository only -->\n*", re.DOTALL)


def _learner_readme() -> str:
    """The README's learner part (everything before the test and instructor sections), without its notes for
    readers of the repository (between ``<!-- repository only -->`` and ``<!-- end repository only -->``)."""
    text = REPOSITORY_ONLY.sub("", (REPO / "README.md").read_text())
    return text.split("\n## Run the tests", 1)[0].rstrip() + "\n"


PACKAGES_LINE = 'include = ["helpers*", "grader*"]'


def _learner_pyproject() -> str:
    """pyproject.toml installing only the helpers package (the grader is not shipped)."""
    text = (REPO / "pyproject.toml").read_text()
    shipped = text.replace(PACKAGES_LINE, 'include = ["helpers*"]')
    if shipped == text:
        raise ValueError(f"pyproject.toml no longer has the line {PACKAGES_LINE!r} that the bundle rewrites")
    return re.sub(r"\ngrader = .*", "", shipped)


def _ignore_caches(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name in ("__pycache__", ".ipynb_checkpoints") or name.endswith(".pyc")]


def bundle(out: Path, make_zip: bool = False) -> Path:
    """Write the student bundle to ``out`` (a new folder) and, with ``make_zip``, ``out``.zip beside it."""
    from grader.authoring.sync import stale_lessons

    if out.exists():
        raise ValueError(f"{out} already exists: choose a new folder or remove it")
    stems = written_lessons(SOLUTIONS)
    stale = stale_lessons(stems)
    if stale:
        raise ValueError(f"lessons/ is out of date for {', '.join(stale)}: run `python -m grader release` first")
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "lessons").mkdir(parents=True)
    for stem in stems:
        shutil.copy2(LESSONS / f"{stem}.ipynb", staging / "lessons")
    shutil.copytree(REPO / "helpers", staging / "helpers", ignore=_ignore_caches)
    for name in SET_UP_FILES:
        shutil.copy2(REPO / name, staging / name)
    (staging / "README.md").write_text(_learner_readme())
    (staging / "pyproject.toml").write_text(_learner_pyproject())
    found = leaks(staging)
    for stem in stems:
        shown = find_leaks(stem, read(SOLUTIONS / f"{stem}.ipynb"), read(staging / "lessons" / f"{stem}.ipynb"))
        found += [str(leak) for leak in shown]
    if found:
        shutil.rmtree(staging)
        raise LeakFound("the bundle would leak, nothing written:\n  " + "\n  ".join(found[:20]))
    staging.rename(out)
    if make_zip:
        with zipfile.ZipFile(out.with_name(out.name + ".zip"), "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(out.rglob("*")):
                archive.write(path, Path(out.name) / path.relative_to(out))
    return out
