"""Test support for driving the learner's JupyterLab in a real browser: start Lab as `make lab` does, stop it.

JupyterLab runs exactly as ``make lab`` starts it (``helpers.learner_lab``), on 127.0.0.1 with a token, its
Jupyter folders inside the test's temporary folder, and is stopped by its process. The browser is Debian's
Chromium driven by Playwright for Python.
"""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from grader.authoring.refresh import LEARNER_UNSET
from helpers.learner_lab import lab_command, lab_environment

CHROMIUM = Path("/usr/bin/chromium")
SETTINGS_FOLDER = "lab-settings"  # inside the test's state folder: the learner's own Lab settings
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    """A running JupyterLab server: its URL, token and REST API."""

    def __init__(self, url: str, token: str, root: Path, log: Path):
        self.url, self.token, self.root, self.log = url, token, root, log

    def api(self, path: str, method: str = "GET"):
        """The REST API's answer; a GET that meets a server error is asked again twice (a busy server can fail
        to list kernels while one starts; such an error still shows in the log the menus test reads)."""
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        for attempt in range(3):
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    body = response.read()
                return json.loads(body) if body else None
            except urllib.error.HTTPError as error:
                if method != "GET" or error.code < 500 or attempt == 2:
                    raise
                time.sleep(1)

    def kernels_idle(self) -> bool:
        kernels = self.api("/api/kernels") or []
        return bool(kernels) and all(kernel["execution_state"] == "idle" for kernel in kernels)


def learner_environment(state: Path) -> dict[str, str]:
    """The environment `make lab` gives JupyterLab, with every Jupyter, IPython and Matplotlib folder in ``state``."""
    environment = {key: value for key, value in os.environ.items() if key not in LEARNER_UNSET}
    for variable, folder in {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
                             "JUPYTER_RUNTIME_DIR": "runtime", "IPYTHONDIR": "ipython",
                             "MPLCONFIGDIR": "matplotlib", "JUPYTERLAB_SETTINGS_DIR": SETTINGS_FOLDER,
                             "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces"}.items():
        (state / folder).mkdir(parents=True, exist_ok=True)
        environment[variable] = str(state / folder)
    return lab_environment(environment)


def write_user_settings(state: Path, settings: dict[str, dict]) -> None:
    """Lab settings as a learner would set them in Settings, e.g. ``{"@jupyterlab/docmanager-extension:plugin":
    {"autosaveInterval": 5}}``: one file per plugin in the state's settings folder (above the course's overrides)."""
    for plugin, values in settings.items():
        package, name = plugin.split(":")
        path = state / SETTINGS_FOLDER / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@contextmanager
def running_lab(root: Path, state: Path, settings: dict[str, dict] | None = None):
    """JupyterLab serving ``root`` as the learner's Lab does, with the learner's ``settings`` if any; stopped (its
    whole process group) on exit."""
    port, token = free_port(), "course-browser-test"
    state.mkdir(parents=True, exist_ok=True)
    write_user_settings(state, settings or {})
    log = state / "jupyterlab.log"
    command = lab_command(root, ["--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                                 f"--IdentityProvider.token={token}"])
    with open(log, "w") as log_stream:
        server = subprocess.Popen(command, env=learner_environment(state), stdout=log_stream,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                lab.api("/api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start; its log:\n{log.read_text()}") from None
                time.sleep(0.5)
        yield lab
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
