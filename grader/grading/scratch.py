"""Each grading process's own folder in the system temp folder, for its template courses and jobs.

Everything a worker writes (template courses with hidden tests, job folders) lives under one folder
named after the process, removed when the process ends or the batch is done. A folder whose process
was killed is removed by the next process that starts grading on the same machine.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "grader-worker-"
DASK_PREFIX = "grader-dask-"  # a batch's Dask scratch folder (grader.grading.batch), named after its process too
_folder: Path | None = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def remove_orphans() -> None:
    """Remove the folders of grading processes that no longer run (killed before they could clean up):
    workers' folders and batches' Dask folders."""
    for prefix in (PREFIX, DASK_PREFIX):
        for folder in Path(tempfile.gettempdir()).glob(prefix + "*"):
            pid = folder.name[len(prefix):].split("-")[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)


def worker_folder() -> Path:
    """This process's folder, made (and registered for removal at exit) on first use."""
    global _folder
    if _folder is None or not _folder.exists():
        remove_orphans()
        _folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        atexit.register(remove_worker_folder)
    return _folder


def remove_worker_folder() -> None:
    """Remove this process's folder and everything in it."""
    global _folder
    if _folder is not None:
        shutil.rmtree(_folder, ignore_errors=True)
        _folder = None
