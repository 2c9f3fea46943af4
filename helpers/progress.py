"""Progress bars for long loops: a line of text that redraws itself, silent while grading.

The bar is tqdm's text bar written to stdout, not a notebook widget: a widget's output points to a model that
lives in the kernel, so after a reopen, a restart or in an untrusted copy JupyterLab shows "Error displaying
widget: model not found" where the bar was. Text needs nothing: JupyterLab (like a terminal) redraws the line
in place on each carriage return, and once the loop ends the bar clears itself, so what stays in the notebook
is the cell's own printed lines. Print after the loop, not inside it (or use ``tqdm.write``): a print inside
would land on the bar's line.

tqdm would write to stderr, which JupyterLab shows on a red background and nbgrader scores as a failure, hence
stdout; and bars are switched off in grading mode. Introduced in lessons/01_quickstart.ipynb.
"""

import sys
from collections.abc import Iterable

from tqdm.std import tqdm

from helpers.mode import is_grading


def progress(iterable: Iterable, description: str = "", total: int | None = None) -> Iterable:
    """Wrap ``iterable`` in a text progress bar on stdout that clears itself at the end, except while grading."""
    return tqdm(iterable, desc=description, total=total, disable=is_grading(), leave=False, file=sys.stdout)
