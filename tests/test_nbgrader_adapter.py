"""The adapter's shortcuts around nbgrader give nbgrader's own answers."""

import os
import subprocess
import sys
from pathlib import Path

from nbgrader import api as nbgrader_api

from grader.nbgrader_adapter import put_interpreter_tools_on_path


def test_the_gradebook_schema_version_is_what_nbgraders_alembic_command_says():
    nbgraders_own = subprocess.run(
        [sys.executable, "-c", "from nbgrader.api import get_alembic_version; print(get_alembic_version())"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"})
    put_interpreter_tools_on_path()
    assert nbgrader_api.get_alembic_version() == nbgraders_own.stdout.strip()
    assert len(nbgraders_own.stdout.strip()) == 12, nbgraders_own  # alembic's revision ids: 12 hex digits
