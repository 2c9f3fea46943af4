"""Start a graded notebook's kernel inside the sandbox (the argv of the grader-sandbox kernelspec).

``python -m grader.safety.launcher SETTINGS CONNECTION_FILE [kernel args...]``: runs, outside the
sandbox, as the grading user; hands the connection file to the sandbox user and starts the kernel, either
warm (the default: bwrap builds the submission's sandbox around a waiting holder process, and the worker's
warm process, grader.safety.warm, forks the kernel into it) or cold (the limits of grader.safety.confine,
then bwrap and setpriv, then python with the probe; with sandboxing turned off by the instructor, the
limits only). It kills the kernel at the notebook's time limit, when its disk quota is full or when the
grading process is gone, and records how it ended and what it cost.
"""

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

from grader.safety.confine import apply_limits
from grader.safety.sandbox import KernelSettings, bwrap_arguments
from grader.safety.warm import WarmUnavailable, end_status, read_status, request_kernel
from grader.settings import MIB, Limits

POLL_SECONDS = 0.25  # how often the disk quota and the time limit are looked at
FULL_BELOW_BYTES = MIB  # the quota's tmpfs counts as full with less than this left
HOLDER_READY_SECONDS = 60  # bwrap builds a sandbox in milliseconds; a loaded machine may take seconds
PIPE_BYTES = 60_000  # what a pipe surely holds before its reader starts (Linux: 64 KiB)


def _hand_over(settings: KernelSettings, connection_file: Path) -> None:
    """Let the sandbox user read the connection file and create its sockets in the runtime folder."""
    uid = settings.uid
    runtime = Path(settings.runtime)
    os.chown(runtime, uid, uid)
    os.chown(connection_file, uid, uid)


def _disk_full(sandbox_pid: int | None) -> bool:
    """True when the sandbox's tmpfs (the notebook's disk quota) is full, read from outside through
    the /proc view of the sandbox's first process."""
    try:
        stats = os.statvfs(f"/proc/{sandbox_pid}/root/tmp") if sandbox_pid else None
    except OSError:
        return False
    return stats is not None and stats.f_bavail * stats.f_frsize < FULL_BELOW_BYTES


class ColdKernel:
    """A kernel started from scratch: limits, then bwrap and setpriv, then python with the probe."""

    path = "cold"

    def __init__(self, settings: KernelSettings, connection_file: Path, kernel_args: list[str], env: dict, log):
        self.process = _start(command(settings, connection_file, kernel_args), env=env, stdout=log, stderr=log,
                              stdin=subprocess.DEVNULL, preexec_fn=lambda: apply_limits(settings.limits.as_dict()))
        self.started, self.sampled_cpu, self.sampled_peak = time.monotonic(), 0.0, 0

    def sandbox_pid(self) -> int | None:
        try:
            inside = psutil.Process(self.process.pid).children()
        except psutil.Error:
            return None
        return inside[0].pid if inside else None

    def wait(self, timeout: float) -> dict | None:
        """The kernel's end status and cost once it has ended (None while it runs, after ``timeout`` s).

        bwrap does not pass its descendants' resource use up when it exits, so the kernel's CPU time and
        memory are also sampled here while it runs (once a call, from /proc); the larger figure is kept."""
        end = time.monotonic() + timeout
        self._sample()
        while True:
            pid, wait_status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                status = end_status(wait_status, usage)
                self.process.returncode = status["returncode"]
                status["cpu_seconds"] = round(max(status["cpu_seconds"], self.sampled_cpu), 2)
                status["peak_memory_mib"] = round(max(status["peak_memory_mib"], self.sampled_peak / MIB), 1)
                return {**status, "wall_seconds": round(time.monotonic() - self.started, 2)}
            if time.monotonic() >= end:
                return None
            time.sleep(min(0.05, max(end - time.monotonic(), 0.001)))

    def _sample(self) -> None:
        try:
            tree = [psutil.Process(self.process.pid)]
            tree += tree[0].children(recursive=True)
            cpu, memory = 0.0, 0
            for process in tree:
                with process.oneshot():
                    times = process.cpu_times()
                    cpu += times.user + times.system + times.children_user + times.children_system
                    memory += process.memory_info().rss
        except psutil.Error:
            return
        self.sampled_cpu, self.sampled_peak = max(self.sampled_cpu, cpu), max(self.sampled_peak, memory)

    def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()


class WarmKernel:
    """A kernel forked from the worker's warm process (grader.safety.warm) into a sandbox bwrap builds here."""

    path = "warm"

    def __init__(self, settings: KernelSettings, settings_file: Path, connection_file: Path, log):
        self.holder, self._sandbox_pid, self.connection = None, None, None
        if settings.sandboxed:
            self.holder, self._sandbox_pid = _start_holder(settings, log)
        try:
            self.connection = request_kernel(settings.warm_socket, str(settings_file), str(connection_file),
                                             self._sandbox_pid)
        except WarmUnavailable:
            self.close()
            raise

    def sandbox_pid(self) -> int | None:
        return self._sandbox_pid

    def wait(self, timeout: float) -> dict | None:
        status = read_status(self.connection, timeout)
        if status is not None and "returncode" not in status:  # the fork could not start the kernel
            return {"returncode": 1, "failure": status.get("error", "the warm kernel ended without a status")}
        return status

    def kill(self) -> None:
        try:
            self.connection.shutdown(socket.SHUT_WR)  # the fork kills the kernel, then reports its status
        except OSError:
            pass
        if self.holder is not None:
            self.holder.kill()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        if self.holder is not None:
            self.holder.kill()
            self.holder.wait()


def _start_holder(settings: KernelSettings, log) -> tuple[subprocess.Popen, int]:
    """The submission's sandbox, built by bwrap, held open by a process that only waits; return it and the host
    pid of the sandbox's first process, whose namespaces the warm kernel joins.

    bwrap reports that pid (--info-fd) before it has finished building the sandbox's mounts, so the holder
    also says when it runs (it starts only once the sandbox is complete), and nothing joins before that."""
    info_read, info_write = os.pipe()
    sandbox = bwrap_arguments([Path(p) for p in settings.readable], settings.env,
                              writable=[Path(settings.runtime)], disk_bytes=settings.limits.disk_bytes)
    sandbox[-1:-1] = ["--info-fd", str(info_write)]
    try:
        holder = _start(sandbox + ["sh", "-c", "echo ready && exec sleep infinity"], stdout=subprocess.PIPE,
                        stderr=log, stdin=subprocess.DEVNULL, pass_fds=(info_write,))
    finally:
        os.close(info_write)
    with os.fdopen(info_read) as info:
        text = info.read()
    ready, _, _ = select.select([holder.stdout], [], [], HOLDER_READY_SECONDS)
    if not (ready and holder.stdout.readline().strip() == b"ready" and text.strip()):
        holder.kill()
        raise RuntimeError(f"bwrap could not build the sandbox (exit {holder.wait()}): see kernel.log")
    return holder, json.loads(text)["child-pid"]


def _limit_reached(kernel, settings: KernelSettings, deadline: float, grader: int) -> str | None:
    """What stops the kernel now, if anything: its time limit, a full disk, or its grading process gone."""
    if time.monotonic() >= deadline:
        return "time"
    if os.getppid() != grader:
        return "orphaned"
    if settings.sandboxed and _disk_full(kernel.sandbox_pid()):
        return "disk"
    return None


def _wait(kernel, settings: KernelSettings) -> tuple[dict, str | None]:
    """Wait for the kernel to end, stopping it at the notebook's time limit, when its disk is full, or
    when the grading process that started it is gone (a killed run leaves no kernel behind); return its
    end status and what stopped it (None, "time", "disk" or "orphaned")."""
    deadline, grader = time.monotonic() + settings.limits.notebook_seconds, os.getppid()
    while True:
        status = kernel.wait(min(POLL_SECONDS, max(deadline - time.monotonic(), 0.01)))
        if status is not None:
            return status, None
        limit = _limit_reached(kernel, settings, deadline, grader)
        if limit:
            kernel.kill()
            return kernel.wait(10) or {"returncode": -signal.SIGKILL}, limit


def command(settings: KernelSettings, connection_file: Path, kernel_args: list[str]) -> list[str]:
    output_bytes = settings.limits.output_bytes
    start_with_probe = (f"import sys; sys.path.insert(0, {settings.probe_dir!r}); "
                        f"import grader_probe; grader_probe.start({output_bytes})")  # see grader.safety.probe
    kernel = [settings.python, "-c", start_with_probe, "-f", str(connection_file), *kernel_args]
    if not settings.sandboxed:
        return kernel
    uid = str(settings.uid)
    drop_privileges = ["setpriv", "--reuid", uid, "--regid", uid, "--clear-groups",
                       "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    sandbox = bwrap_arguments([Path(p) for p in settings.readable], settings.env, writable=[Path(settings.runtime)],
                              disk_bytes=settings.limits.disk_bytes)
    return sandbox + drop_privileges + kernel


def _start(argv: list[str], pass_fds: tuple[int, ...] = (), **options) -> subprocess.Popen:
    """Start ``argv``; bwrap reads its own options from a pipe (``--args``), so that the sandbox's first
    process, whose command line anything inside can read in /proc/1/cmdline, shows no host paths."""
    if argv[0] != "bwrap":
        return subprocess.Popen(argv, pass_fds=pass_fds, **options)
    end = argv.index("--")
    packed = b"".join(os.fsencode(arg) + b"\0" for arg in argv[1:end])
    if len(packed) > PIPE_BYTES:
        raise ValueError(f"the sandbox's options take {len(packed)} bytes, more than a pipe holds")
    read, write = os.pipe()
    os.write(write, packed)
    os.close(write)
    try:
        return subprocess.Popen(["bwrap", "--args", str(read), *argv[end:]], pass_fds=(read, *pass_fds), **options)
    finally:
        os.close(read)


def _describe_end(returncode: int, limit: str | None, stopped: bool, limits: Limits) -> str:
    if limit == "disk":
        return (f"the notebook filled its {limits.disk_bytes // MIB} MiB of disk (its folder and /tmp together) "
                "and its kernel was stopped")
    if stopped:
        return ("the kernel stopped answering: a cell ran past its time limit and could not be interrupted, "
                "so the grader shut the kernel down")
    if limit == "time":
        return f"the notebook ran past its time limit of {limits.notebook_seconds} s and its kernel was stopped"
    if returncode < 0 or returncode > 128:
        number = -returncode if returncode < 0 else returncode - 128
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        if name == "SIGXCPU":
            return f"the kernel used its {limits.cpu_seconds} s of CPU time and was stopped (SIGXCPU)"
        if name == "SIGKILL":
            return "the kernel was killed (SIGKILL): it ran out of memory or was shut down"
        return f"the kernel crashed ({name})"
    return (f"the kernel exited with code {returncode} (os._exit in the student's code, or the kernel "
            "failed, e.g. out of memory: see the notebook's last outputs)")


def main(argv: list[str]) -> int:
    settings_file, connection_file, *kernel_args = argv
    settings = KernelSettings.read(Path(settings_file))
    connection_file = Path(connection_file)
    env = dict(settings.env)
    if settings.sandboxed:
        _hand_over(settings, connection_file)
    else:
        env = {**os.environ, **env}
    log = open(Path(settings.status_file).with_name("kernel.log"), "ab")  # the kernel's own chatter
    fallback = None
    kernel = None
    if settings.warm_socket:
        try:
            kernel = WarmKernel(settings, Path(settings_file), connection_file, log)
        except WarmUnavailable as error:  # grade cold rather than not at all, and say so
            fallback = str(error)
    if kernel is None:
        kernel = ColdKernel(settings, connection_file, kernel_args, env, log)
    stopped = []

    def stop(*_):
        stopped.append(True)
        kernel.kill()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    try:
        status, limit = _wait(kernel, settings)
    finally:
        if isinstance(kernel, WarmKernel):
            kernel.close()
    status.update(path=kernel.path, stopped_by=limit, fallback=fallback,
                  explanation=status.pop("failure", None) or _describe_end(status["returncode"], limit, bool(stopped),
                                                                            settings.limits))
    Path(settings.status_file).write_text(json.dumps(status))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
