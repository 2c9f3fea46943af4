"""Start the learner's JupyterLab: nbgrader's Validate button with the course's settings, and nothing else of
nbgrader (no Formgrader, Create Assignment, Course or Assignment List), no news or kernel prompts.

``make lab`` runs ``python -m helpers.learner_lab my-work``; further arguments go to ``jupyter lab``.
The settings live in ``helpers/lab/``: a Jupyter config folder (server extensions, disabled Lab plugins,
the nbgrader config) searched before the environment's own, and Lab settings overrides. One of them keeps widget
state out of saved notebooks: the course shows nothing as a widget (knowledge checks are HTML, progress bars
text), and a widget drawn from saved state after a restart looks alive but answers nothing.
"""

import os
import sys
from pathlib import Path

LAB_CONFIG = Path(__file__).resolve().with_name("lab")


def lab_environment(base: dict[str, str]) -> dict[str, str]:
    """``base`` with the course's Jupyter config folder searched first."""
    search = [str(LAB_CONFIG), *filter(None, base.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
    return {**base, "JUPYTER_CONFIG_PATH": os.pathsep.join(search)}


def lab_command(root: Path, extra: list[str]) -> list[str]:
    """The ``jupyter lab`` command serving ``root`` (``--allow-root`` when run as root, as JupyterLab requires)."""
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}",
               f"--LabApp.app_settings_dir={LAB_CONFIG / 'settings'}", *extra]
    if hasattr(os, "getuid") and os.getuid() == 0 and "--allow-root" not in extra:
        command.append("--allow-root")
    return command


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit("usage: python -m helpers.learner_lab FOLDER [jupyter lab options]")
    command = lab_command(Path(argv[0]).resolve(), argv[1:])
    os.execvpe(command[0], command, lab_environment(dict(os.environ)))


if __name__ == "__main__":
    main(sys.argv[1:])
