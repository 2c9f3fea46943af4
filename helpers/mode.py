"""Learner mode, quick mode and grading mode: how big the heavy demo cells run.

- **Grading**: nbgrader sets ``NBGRADER_EXECUTION`` ("autograde" or "validate") in the kernel it runs.
- **Quick**: a learner asks for it with ``quick = True`` in a lesson's set-up cell (passed to
  :func:`demo_size` as ``quick=quick``), or for every lesson at once with ``COURSE_QUICK=1`` in the
  environment (``COURSE_QUICK=1 make lab``).

In both, heavy demo cells (training runs) take their short size, so a whole lesson runs in a minute or
two; otherwise they run in full. Introduced in lessons/01_quickstart.ipynb.
"""

import os

GRADING_ENV_VAR = "NBGRADER_EXECUTION"
QUICK_ENV_VAR = "COURSE_QUICK"
QUICK_VALUES = {"1", "true", "yes", "on"}


def is_grading() -> bool:
    """True when nbgrader (autograde or validate) is executing this notebook."""
    return bool(os.environ.get(GRADING_ENV_VAR))


def quick_from_environment() -> bool:
    """True when ``COURSE_QUICK`` asks for quick mode (1, true, yes or on, in any case)."""
    return os.environ.get(QUICK_ENV_VAR, "").strip().lower() in QUICK_VALUES


def is_short(quick: bool = False) -> bool:
    """True when heavy cells should take their short size: ``quick``, ``COURSE_QUICK=1`` or grading."""
    return bool(quick) or quick_from_environment() or is_grading()


def demo_size(full, short, quick: bool = False):
    """``full`` for a learner's full run; ``short`` in quick mode (``quick``, ``COURSE_QUICK=1``) and while grading."""
    return short if is_short(quick) else full
