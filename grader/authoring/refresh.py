"""Refresh the stored outputs of a solution notebook: execute it as a learner would, write it back.

solutions/ are committed executed (their outputs are what nbval compares). After editing a lesson, run
``python -m grader refresh NN``: the notebook runs in learner mode (NBGRADER_EXECUTION unset, the
inline plotting backend) in a scratch folder, so the files it saves do not land in the repository.
Widget state is not stored: a reopened lesson would show "model not found" for every widget.
"""

import os
import tempfile
from pathlib import Path
from unittest import mock

from nbclient import NotebookClient

from grader.files import write_notebook_atomically
from grader.notebooks import read
from grader.paths import SOLUTIONS

LEARNER_UNSET = ("MPLBACKEND", "NBGRADER_EXECUTION", "NBGRADER_VALIDATING")
"""Variables a learner's kernel does not have: the tests' plotting backend, nbgrader's grading flags."""


def refresh(stem: str, timeout: int = 1800) -> Path:
    """Execute ``solutions/<stem>.ipynb`` in learner mode and store its new outputs in place."""
    path = SOLUTIONS / f"{stem}.ipynb"
    notebook = read(path)
    with mock.patch.dict(os.environ), tempfile.TemporaryDirectory(prefix="grader-refresh-") as scratch:
        for key in LEARNER_UNSET:
            os.environ.pop(key, None)
        NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=False,
                       store_widget_state=False, resources={"metadata": {"path": scratch}}).execute()
    notebook.metadata.pop("widgets", None)
    return write_notebook_atomically(notebook, path)
