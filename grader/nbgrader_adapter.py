"""A throw-away nbgrader course folder, so nothing of nbgrader's (gradebook, release/) lands in the repo."""

import functools
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nbgrader import api as nbgrader_api
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from grader.paths import CONFIG_FILE


def load_config(course_root: Path, **overrides: dict) -> Config:
    """The course's nbgrader config (grader/nbgrader_config.py) rooted at ``course_root``."""
    config = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    config.CourseDirectory.root = str(course_root)
    for section, values in overrides.items():
        for key, value in values.items():
            config[section][key] = value
    return config


def put_interpreter_tools_on_path() -> None:
    """nbgrader runs the ``alembic`` command; find it beside this interpreter even in an unactivated venv.

    nbgrader also starts that command whenever it creates a gradebook, only to learn the schema version
    of the installed nbgrader, which cannot change while we run. A fresh interpreter costs a second
    (each grading worker pays it for each lesson's template): read it here instead, once per process.
    """
    _quiet_known_gradebook_warnings()
    tools = str(Path(sys.executable).parent)
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")
    if nbgrader_api.get_alembic_version is not _schema_version:
        nbgrader_api.get_alembic_version = _schema_version


@functools.lru_cache(maxsize=1)
def _schema_version() -> str:
    """The head of nbgrader's migrations: what ``alembic heads`` prints for them."""
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    return ScriptDirectory(ALEMBIC_DIR).get_current_head()


def _quiet_known_gradebook_warnings() -> None:
    """nbgrader 0.9 creates submissions through relationship backrefs that SQLAlchemy 2 no longer
    cascades into the session: it warns "Object of type <Submitted...> not in session" on every
    gradebook write, although nbgrader adds those objects itself right after (the rows are all there:
    tests/test_class_grading.py reads them back). Only that warning is silenced."""
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w*> not in session", category=SAWarning)


def api_for(course_root: Path, config: Config) -> NbGraderAPI:
    """nbgrader's Python API on ``course_root``."""
    put_interpreter_tools_on_path()
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


@contextmanager
def temporary_course(prefix: str = "grader-course-") -> Iterator[Path]:
    """A temporary course root, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


class NbgraderError(RuntimeError):
    """An nbgrader step reported failure; the message carries its log."""


def require_success(result: dict, step: str) -> None:
    """Raise with nbgrader's own log when one of its API calls failed."""
    if not result.get("success"):
        raise NbgraderError(f"nbgrader {step} failed:\n{result.get('error', '')}\n{result.get('log', '')}".strip())


def open_gradebook(db_url: str) -> Gradebook:
    """nbgrader's Gradebook on ``db_url``."""
    put_interpreter_tools_on_path()
    return Gradebook(db_url)
