"""Where the course's data lives, without importing torch (the grader mounts it into each sandbox)."""

import os
from pathlib import Path

DATA_ENV_VAR = "COURSE_DATA_DIR"


def default_root() -> Path:
    """``$COURSE_DATA_DIR`` if set, else the ``data/`` folder beside ``helpers/``."""
    return Path(os.environ.get(DATA_ENV_VAR) or Path(__file__).resolve().parents[1] / "data")
