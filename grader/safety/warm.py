"""Warm kernels: each grading worker keeps one process that has imported torch, torchvision, numpy,
matplotlib, ipykernel, the course's helpers and the integrity probe, and has run no student code; every
graded kernel is forked from it, so none pays those imports again.

``python -m grader.safety.warm SOCKET PROBE_DIR`` is that process. It never runs student code and never
reads anything from a kernel: it accepts a request from the job's launcher (grader.safety.launcher) on a
Unix socket only root can open, forks, and goes back to waiting. The fork (trusted, root):
1. joins the sandbox bwrap built for this submission (its own mounts, /tmp quota, pid, network, ipc),
   named by a pidfd the launcher passes over the socket (a pid number could be reused meanwhile);
2. forks the kernel, which joins the sandbox's control group (grader.safety.cgroups), takes the job's
   environment, limits and user id, drops every privilege, installs the seccomp filter
   (grader.safety.syscalls), closes every inherited descriptor, and only then starts ipykernel;
3. waits for the kernel and writes its exit status and cost (CPU seconds, peak memory, wall time) to the
   launcher, the only thing that leaves it. When the launcher goes away, it kills the kernel.
Each kernel thus starts from the same clean image: nothing a submission changes in its own memory,
environment, threads or files reaches the next one.
"""

import importlib
import json
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from grader.safety import syscalls
from grader.safety.cgroups import enter_descriptors
from grader.safety.confine import ConfinementFailed, apply_limits, drop_privileges, join_sandbox

IMPORTS = ("numpy", "torch", "torch.nn", "torch.utils.data", "torchvision", "torchvision.transforms",
           "torchvision.transforms.v2", "torchvision.models", "torchvision.utils", "matplotlib.pyplot",
           "ipykernel.kernelapp", "unittest.mock", "helpers.checks", "helpers.data", "helpers.data_folder",
           "helpers.device", "helpers.graph_view", "helpers.mode", "helpers.model_view", "helpers.observations",
           "helpers.plots", "helpers.progress", "helpers.quiz", "helpers.seed", "helpers.tensor_plots",
           "helpers.training")
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # what ipykernel would choose, before matplotlib loads
READY_SECONDS = 180  # how long a worker waits for its warm process's imports (a loaded machine: ~15 s)
PARENT_POLL_SECONDS = 1.0
REQUEST_BYTES = 65536
_IMAGE_EXTRA_BYTES = 0  # set by _prepare: address space the warm image maps beyond a cold kernel's
_SECCOMP: bytes | None = None  # set by _prepare: the filter each sandboxed kernel installs


class WarmUnavailable(RuntimeError):
    """The warm process could not start or answer; grade with --no-warm meanwhile."""


# --- the warm process -------------------------------------------------------------------------------------

def _prepare(probe_dir: str) -> None:
    """Import everything a graded kernel needs before its first cell; create no thread, context or socket.

    The probe's modules come first, as in a cold kernel; what the rest maps (torchvision alone: 300 MiB)
    is added to each kernel's address-space limit, so that student code has the headroom it has cold."""
    global _IMAGE_EXTRA_BYTES, _SECCOMP
    _SECCOMP = syscalls.program()
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    sys.path.insert(0, probe_dir)
    import grader_probe

    grader_probe.remember()
    cold_image = _address_space()
    for name in IMPORTS:
        importlib.import_module(name)
    _IMAGE_EXTRA_BYTES = max(0, _address_space() - cold_image)
    if threading.active_count() != 1:
        raise RuntimeError(f"the warm process started threads ({threading.enumerate()}); forking it is unsafe")


def _address_space() -> int:
    """This process's mapped address space, bytes (what RLIMIT_AS limits)."""
    return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def serve(socket_path: str, probe_dir: str) -> None:
    """Import, then fork a kernel for each request until the worker that started this process is gone."""
    _prepare(probe_dir)
    worker = os.getppid()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel, never waited for here
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o077)
    listener.bind(socket_path + ".new")
    os.umask(old_mask)
    listener.listen(8)
    os.replace(socket_path + ".new", socket_path)  # the socket appears once it accepts requests
    listener.settimeout(PARENT_POLL_SECONDS)
    while os.getppid() == worker:
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        with connection:
            request, descriptors = _read_request(connection)
            if request.strip() == "ping":
                connection.sendall(b"ready\n")
            elif os.fork() == 0:
                listener.close()
                _run_kernel(connection, json.loads(request), descriptors)  # never returns
            for descriptor in descriptors:
                os.close(descriptor)


def _read_request(connection: socket.socket) -> tuple[str, list[int]]:
    """One request line, and the descriptors sent with it (the sandbox's pidfd)."""
    data, descriptors = b"", []
    while not data.endswith(b"\n") and len(data) < REQUEST_BYTES:
        chunk, received, _, _ = socket.recv_fds(connection, REQUEST_BYTES, 1)
        descriptors += received
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace"), descriptors


def _run_kernel(connection: socket.socket, request: dict, descriptors: list[int]) -> None:
    """In the fork: join the sandbox, fork the kernel, report how it ended; then exit."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        settings = json.loads(Path(request["settings"]).read_text())
        log = os.open(Path(settings["status_file"]).with_name("kernel.log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        group = [os.open(path, os.O_WRONLY) for path in request["cgroup"]]  # before /sys is out of sight
        if settings["sandboxed"]:
            if len(descriptors) != 1:
                raise ConfinementFailed("the launcher sent no pidfd of the sandbox to join")
            join_sandbox(descriptors[0])
        started = time.monotonic()
        kernel = os.fork()
        if kernel == 0:
            _become_kernel(settings, request, log, group)
        os.close(log)
        status = _watch(kernel, connection)
        status["wall_seconds"] = round(time.monotonic() - started, 2)
        connection.sendall(json.dumps(status).encode() + b"\n")
        code = 0
    except BaseException as error:  # report, never fall back into the warm process's loop
        try:
            connection.sendall(json.dumps({"error": f"{type(error).__name__}: {error}"}).encode() + b"\n")
        except OSError:
            pass
    finally:
        os._exit(code)


def _watch(kernel: int, connection: socket.socket) -> dict:
    """Wait for the kernel; kill it (and its process group) when the launcher closes its end.

    The kernel's pidfd (Linux 5.3+) wakes this as soon as the kernel ends; without one, it looks every 0.1 s."""
    try:
        ended = [os.pidfd_open(kernel)]
    except (AttributeError, OSError):
        ended = []
    launcher = [connection]
    try:
        while True:
            pid, status, usage = os.wait4(kernel, os.WNOHANG)
            if pid:
                return end_status(status, usage)
            readable, _, _ = select.select(launcher + ended, [], [], None if ended else 0.1)
            if connection in readable and not connection.recv(64):  # the launcher is done with it, or gone
                launcher = []
                for kill in (os.killpg, os.kill):
                    try:
                        kill(kernel, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
    finally:
        for descriptor in ended:
            os.close(descriptor)


def end_status(wait_status: int, usage: resource.struct_rusage) -> dict:
    """How a waited-for kernel ended, and what it used (from ``os.wait4``)."""
    return {"returncode": os.waitstatus_to_exitcode(wait_status),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_memory_mib": round(usage.ru_maxrss / 1024, 1)}


def _become_kernel(settings: dict, request: dict, log: int, group: list[int]) -> None:
    """In the kernel's process: the sandbox's group, the job's session, descriptors, environment, folder,
    limits and user, the seccomp filter; then ipykernel. Exits the process whatever happens."""
    code = 1
    try:
        enter_descriptors(group)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.setsid()
        os.dup2(os.open("/dev/null", os.O_RDONLY), 0)
        os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])  # the request socket and all else
        os.environ.clear()
        os.environ.update(settings["env"])
        os.chdir("/sandbox/work" if settings["sandboxed"] else str(Path(settings["scratch"]) / "work"))
        limits = settings["limits"]
        processes = request.get("processes")  # the launcher's, above the group's task bound where there is one
        apply_limits({**limits, "memory_bytes": limits["memory_bytes"] + _IMAGE_EXTRA_BYTES,
                      "processes": processes if isinstance(processes, int) and processes > 0 else limits["processes"]})
        if settings["sandboxed"]:
            drop_privileges(request["uid"])
            if _SECCOMP is not None:
                syscalls.install(_SECCOMP)
        sys.argv = [sys.argv[0], "-f", request["connection_file"]]
        import grader_probe

        grader_probe.launch(limits["output_bytes"])
        code = 0
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else 0 if end.code is None else 1
    except ConfinementFailed as error:
        print(f"[grader] the kernel was not started: {error}", file=sys.stderr)
    except BaseException as error:
        print(f"[grader] the kernel failed: {type(error).__name__}: {error}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


# --- the launcher's side --------------------------------------------------------------------------------

def request_kernel(socket_path: str, request: dict, sandbox_pidfd: int | None) -> socket.socket:
    """Ask the warm process for a kernel (``request``: the settings file, the kernel's connection file as it
    sees it, its uid, its group's ``cgroup.procs`` files), sending the pidfd of the sandbox it must join; the
    returned connection delivers its end status (see :func:`read_status`)."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(socket_path)
    except OSError as error:
        connection.close()
        raise WarmUnavailable(f"the warm kernel process does not answer at {socket_path}: {error}") from error
    line = json.dumps(request).encode() + b"\n"
    socket.send_fds(connection, [line], [sandbox_pidfd] if sandbox_pidfd is not None else [])
    return connection


def read_status(connection: socket.socket, timeout: float) -> dict | None:
    """The kernel's end status, None while it still runs (after ``timeout`` s), {} if the fork died silently."""
    readable, _, _ = select.select([connection], [], [], timeout)
    if not readable:
        return None
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return json.loads(data) if data.strip() else {}


# --- the worker's side ----------------------------------------------------------------------------------

class WarmProcess:
    """One worker's warm process: started on first use, restarted if it died, stopped with the batch."""

    def __init__(self, folder: Path, env: dict[str, str], probe_source: Path):
        self.folder, self.env, self.process = folder, env, None
        self.socket = str(folder / "warm.sock")
        self.probe_dir = folder / "probe"
        self.probe_dir.mkdir(parents=True, exist_ok=True)
        (self.probe_dir / "grader_probe.py").write_bytes(probe_source.read_bytes())

    def ensure(self) -> str:
        """The socket of a running warm process (started and waited for here if need be)."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        return self.socket

    def _start(self) -> None:
        stop_orphaned_warm_processes()
        Path(self.socket).unlink(missing_ok=True)
        log = open(self.folder / "warm.log", "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "grader.safety.warm", self.socket, str(self.probe_dir)],
                                        env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                        cwd=self.folder, start_new_session=True)
        log.close()
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = (self.folder / "warm.log").read_text(errors="replace").strip().splitlines()[-3:]
                raise WarmUnavailable("the warm kernel process failed to start: " + " / ".join(tail))
            if self._answers():
                return
            time.sleep(0.05)
        self.stop()
        raise WarmUnavailable(f"the warm kernel process was not ready after {READY_SECONDS} s")

    def _answers(self) -> bool:
        if not os.path.exists(self.socket):
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(self.socket)
                probe.sendall(b"ping\n")
                return probe.makefile("r").readline().strip() == "ready"
            except OSError:
                return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


def stop_orphaned_warm_processes() -> None:
    """Kill the warm processes (and their forks) of grading workers that no longer run: a run killed
    before it could stop them leaves none once the next one starts. A warm process's socket lies in its
    worker's folder, named after the worker's pid (grader.grading.scratch)."""
    for process in psutil.process_iter(["pid", "cmdline"]):
        command = process.info["cmdline"] or []
        if command[1:3] != ["-m", "grader.safety.warm"] or len(command) < 4:
            continue
        folder = Path(command[3]).parent.parent.name  # grader-worker-<pid>-...
        owner = folder.split("-")[2] if folder.count("-") >= 2 else ""
        if owner.isdigit() and not psutil.pid_exists(int(owner)):
            try:
                os.killpg(process.info["pid"], signal.SIGKILL)  # its session: the warm process and its forks
            except OSError:
                pass


if __name__ == "__main__":
    serve(*sys.argv[1:3])
