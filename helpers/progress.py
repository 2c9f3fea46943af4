"""Progress bars for long loops: a notebook widget for learners, silent while grading.

tqdm writes to stderr outside a notebook, and nbgrader scores a test cell 0 when anything reaches
stderr, so bars are switched off in grading mode. Introduced in lessons/01_quickstart.ipynb.
"""

from collections.abc import Iterable

from tqdm.auto import tqdm

from helpers.mode import is_grading


def progress(iterable: Iterable, description: str = "", total: int | None = None) -> Iterable:
    """Wrap ``iterable`` in a progress bar, except while grading."""
    return tqdm(iterable, desc=description, total=total, disable=is_grading(), leave=False)
