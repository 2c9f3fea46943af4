"""Are the committed lessons what a fresh release would produce?"""

import tempfile
from pathlib import Path

from grader.authoring.release import generate_into
from grader.notebooks import NotebookError, cell_signature, read
from grader.paths import LESSONS


def stale_lessons(stems: list[str], lessons_folder: Path = LESSONS) -> dict[str, str]:
    """Map each out-of-date lesson to the reason; empty when all are in sync."""
    problems = {}
    with tempfile.TemporaryDirectory(prefix="grader-sync-") as fresh_folder:
        fresh_folder = Path(fresh_folder)
        generate_into(stems, fresh_folder)
        for stem in stems:
            reason = _difference(fresh_folder / f"{stem}.ipynb", lessons_folder / f"{stem}.ipynb")
            if reason:
                problems[stem] = f"lessons/{stem}.ipynb is stale ({reason}): run `python -m grader release`"
    return problems


def _difference(fresh_path: Path, committed_path: Path) -> str:
    """Why the committed lesson differs from the fresh one, or '' when they agree."""
    if not committed_path.exists():
        return "missing"
    try:
        committed = read(committed_path)
    except NotebookError as error:
        return str(error)
    fresh = read(fresh_path)
    fresh_cells = [cell_signature(c) for c in fresh.cells]
    committed_cells = [cell_signature(c) for c in committed.cells]
    if len(fresh_cells) != len(committed_cells):
        return f"{len(committed_cells)} cells, a fresh release has {len(fresh_cells)}"
    for index, (new, old) in enumerate(zip(fresh_cells, committed_cells, strict=True)):
        if new != old:
            return f"cell {index} differs"
    return ""
