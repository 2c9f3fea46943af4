"""Refresh the stored outputs of a solution notebook: execute it as a learner would, write it back.

solutions/ are committed executed (their outputs are what nbval compares). After editing a lesson, run
``python -m grader refresh NN``: the notebook runs in learner mode (NBGRADER_EXECUTION unset, the
inline plotting backend) in a scratch folder, so the files it saves do not land in the repository.
Widget state is not stored: a reopened lesson would show "model not found" for every widget. Consecutive
stream outputs are stored as one, with each carriage-returned line as a front-end shows it: a progress bar
redraws its line hundreds of times, and each redraw would otherwise be stored.

Executing a lesson takes minutes, and the file may be edited meanwhile. The new outputs are therefore
merged into the file as it is when the run ends: a cell gets them only if its source is still the one
that ran; a cell edited meanwhile keeps its old outputs (refresh again to update it).
"""

import os
import tempfile
from pathlib import Path
from unittest import mock

from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from nbformat import NotebookNode

from grader.files import write_notebook_atomically
from grader.notebooks import read
from grader.paths import SOLUTIONS

LEARNER_UNSET = ("MPLBACKEND", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING")
"""Variables a learner's kernel does not have: the tests' plotting backend, nbgrader's grading flags."""


def refresh(stem: str, timeout: int = 1800) -> Path:
    """Execute ``solutions/<stem>.ipynb`` in learner mode and store its new outputs in place."""
    path = SOLUTIONS / f"{stem}.ipynb"
    executed = read(path)
    with mock.patch.dict(os.environ), tempfile.TemporaryDirectory(prefix="grader-refresh-") as scratch:
        for key in LEARNER_UNSET:
            os.environ.pop(key, None)
        NotebookClient(executed, timeout=timeout, kernel_name="python3", allow_errors=False,
                       store_widget_state=False, resources={"metadata": {"path": scratch}}).execute()
    CoalesceStreamsPreprocessor().preprocess(executed, {})
    current = read(path)
    stale = merge_outputs(executed, current)
    if stale:
        print(f"{stem}: {len(stale)} cell(s) changed while it ran and keep their old outputs: {', '.join(stale)}")
    current.metadata.pop("widgets", None)
    return write_notebook_atomically(current, path)


def merge_outputs(executed: NotebookNode, current: NotebookNode) -> list[str]:
    """Copy outputs and execution counts from ``executed`` into ``current``'s code cells whose id and source
    match; returns the ids of the code cells that did not match (edited or added during the run)."""
    ran = {cell.get("id"): cell for cell in executed.cells if cell.cell_type == "code"}
    stale = []
    for cell in current.cells:
        if cell.cell_type != "code":
            continue
        source = ran.get(cell.get("id"))
        if source is None or source.source != cell.source:
            stale.append(str(cell.get("id")))
            continue
        cell.outputs, cell.execution_count = source.outputs, source.execution_count
    return stale
