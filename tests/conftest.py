"""Keep every test's Jupyter, IPython and matplotlib state inside a temporary folder."""

import os
import shutil
import tempfile

import matplotlib

_STATE_DIR = None


def pytest_configure(config):
    global _STATE_DIR
    _STATE_DIR = tempfile.mkdtemp(prefix="course-tests-")
    for variable, folder in {"JUPYTER_CONFIG_DIR": "jupyter-config", "JUPYTER_DATA_DIR": "jupyter-data",
                             "JUPYTER_RUNTIME_DIR": "jupyter-runtime", "IPYTHONDIR": "ipython",
                             "MPLCONFIGDIR": "matplotlib"}.items():
        path = os.path.join(_STATE_DIR, folder)
        os.makedirs(path, exist_ok=True)
        os.environ[variable] = path
    os.environ["MPLBACKEND"] = "Agg"
    matplotlib.use("Agg")


def pytest_unconfigure(config):
    if _STATE_DIR:
        shutil.rmtree(_STATE_DIR, ignore_errors=True)
