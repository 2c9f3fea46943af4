"""Keep every test's Jupyter, IPython, matplotlib and temp-file state inside one temporary folder, removed
at the end; skip (or, under CI=true, fail) tests whose prerequisites this machine lacks."""

import os
import shutil
import tempfile

import matplotlib

from tests.support.prerequisites import CHECKS, require

_STATE_DIR = None


def pytest_configure(config):
    global _STATE_DIR
    # xdist workers inherit the controller's TMPDIR: theirs go beside it, not inside (socket paths stay short)
    system_temp = os.environ.setdefault("COURSE_TESTS_SYSTEM_TEMP", tempfile.gettempdir())
    _STATE_DIR = tempfile.mkdtemp(prefix="course-tests-", dir=system_temp)
    os.chmod(_STATE_DIR, 0o711)  # others may pass through, e.g. the postgres user to the test server's folder
    for variable, folder in {"JUPYTER_CONFIG_DIR": "jupyter-config", "JUPYTER_DATA_DIR": "jupyter-data",
                             "JUPYTER_RUNTIME_DIR": "jupyter-runtime", "IPYTHONDIR": "ipython",
                             "MPLCONFIGDIR": "matplotlib", "TMPDIR": "tmp"}.items():
        path = os.path.join(_STATE_DIR, folder)
        os.makedirs(path, exist_ok=True)
        os.environ[variable] = path
    tempfile.tempdir = None  # TMPDIR is read again: the tests' own and their kernels' temp files land inside
    os.environ["MPLBACKEND"] = "Agg"
    matplotlib.use("Agg")


def _expected_length(item) -> int:
    """Longest first (0), so that two xdist workers finish together: grading batches, the browser,
    then notebook executions, then the rest."""
    for rank, marker in enumerate(("sandbox", "browser", "notebooks")):
        if item.get_closest_marker(marker) and item.get_closest_marker("slow"):
            return rank
    return 3 if item.get_closest_marker("slow") else 4


def pytest_collection_modifyitems(config, items):
    items.sort(key=_expected_length)


def pytest_runtest_setup(item):
    for marker in CHECKS:
        if item.get_closest_marker(marker):
            require(marker)


def pytest_unconfigure(config):
    if _STATE_DIR:
        shutil.rmtree(_STATE_DIR, ignore_errors=True)
