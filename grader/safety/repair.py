"""Put a submission's nbgrader cells back in a shape nbgrader can grade, before it is graded.

nbgrader itself restores edited locked cells and changed cell types, but it gives a deleted test cell
no points, stops on a duplicated cell ("old version" error) and trips on cells with unknown ids. So:
- a test cell the student deleted is put back from the released lesson, after the cell it followed;
- a second copy of a cell, and a cell whose id the lesson does not know (renamed), lose their
  nbgrader metadata and run as ordinary cells.
grader.safety.integrity reports every one of these as "repaired".
"""

import copy

from nbformat import NotebookNode

from grader.notebooks import is_graded_test, nbgrader_meta


def repair(submission: NotebookNode, release: NotebookNode) -> NotebookNode:
    """A copy of ``submission`` with duplicated and unknown nbgrader cells made plain, deleted tests restored."""
    repaired = copy.deepcopy(submission)
    released_ids = [nbgrader_meta(cell).get("grade_id") for cell in release.cells]
    seen = set()
    for cell in repaired.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id and (grade_id in seen or grade_id not in released_ids):
            cell.metadata.pop("nbgrader")
        elif grade_id:
            seen.add(grade_id)
    for position, cell in enumerate(release.cells):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in seen or not is_graded_test(cell):
            continue
        anchor = next((gid for gid in reversed(released_ids[:position]) if gid in seen), None)  # the cell it followed
        at = next((i + 1 for i, c in enumerate(repaired.cells)
                   if anchor is not None and nbgrader_meta(c).get("grade_id") == anchor), len(repaired.cells))
        restored = copy.deepcopy(cell)
        if repaired.get("nbformat_minor", 0) >= 5:
            restored["id"] = f"restored-{grade_id}"[:64]
        else:
            restored.pop("id", None)
        repaired.cells.insert(at, restored)
        seen.add(grade_id)
    return repaired
