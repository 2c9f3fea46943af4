"""Learner mode versus grading mode.

nbgrader sets ``NBGRADER_EXECUTION`` ("autograde" or "validate") in the kernel it runs. Heavy demo
cells use :func:`demo_size` so they shrink while grading and run in full for learners.
Introduced in lessons/01_quickstart.ipynb.
"""

import os

GRADING_ENV_VAR = "NBGRADER_EXECUTION"


def is_grading() -> bool:
    """True when nbgrader (autograde or validate) is executing this notebook."""
    return bool(os.environ.get(GRADING_ENV_VAR))


def demo_size(full: int, grading: int) -> int:
    """``full`` for learners, ``grading`` while the notebook is being graded."""
    return grading if is_grading() else full
