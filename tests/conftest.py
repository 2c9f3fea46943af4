"""Keep every test's Jupyter, IPython, matplotlib and temp-file state inside one temporary folder, removed
at the end; skip (or, under CI=true, fail) tests whose prerequisites this machine lacks."""

import os
import shutil
import tempfile

import matplotlib
import pytest

from tests.support.prerequisites import CHECKS, require

_STATE_DIR = None


def pytest_configure(config):
    global _STATE_DIR
    _STATE_DIR = tempfile.mkdtemp(prefix="course-tests-")
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


def pytest_runtest_setup(item):
    for marker in CHECKS:
        if item.get_closest_marker(marker):
            require(marker)


def pytest_unconfigure(config):
    if _STATE_DIR:
        shutil.rmtree(_STATE_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def tried(tmp_path_factory):
    """``tried(stem)``: every answer the tests try on a lesson, in one live kernel (tests/support/attempts.py)."""
    from tests.support.attempts import try_lesson

    results = {}

    def run(stem: str):
        if stem not in results:
            results[stem] = try_lesson(stem, tmp_path_factory.mktemp(stem))
        return results[stem]

    return run
