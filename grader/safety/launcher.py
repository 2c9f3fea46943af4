"""Start a graded notebook's kernel inside the sandbox (the argv of the grader-sandbox kernelspec).

``python -m grader.safety.launcher SETTINGS CONNECTION_FILE [kernel args...]``: runs, outside the
sandbox, as the grading user; applies the limits of grader.safety.sandbox, hands the connection file to the
sandbox user, starts ipykernel under bwrap and setpriv (or, with sandboxing turned off by the
instructor, with the limits only), kills it at the notebook's time limit, and records how it ended.
"""

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from grader.safety.sandbox import KernelSettings, bwrap_arguments
from grader.settings import MIB, Limits

POLL_SECONDS = 0.25  # how often the disk quota and the time limit are looked at
FULL_BELOW_BYTES = MIB  # the quota's tmpfs counts as full with less than this left
PIPE_BYTES = 60_000  # what a pipe surely holds before its reader starts (Linux: 64 KiB)


def _set_limits(limits: Limits) -> None:
    """Runs in the child before exec: resource limits, and a lower priority than the grader itself."""
    for name, value in (("RLIMIT_CPU", limits.cpu_seconds), ("RLIMIT_AS", limits.memory_bytes),
                        ("RLIMIT_NPROC", limits.processes), ("RLIMIT_FSIZE", limits.file_bytes),
                        ("RLIMIT_NOFILE", limits.open_files), ("RLIMIT_CORE", 0)):
        resource.setrlimit(getattr(resource, name), (value, value))
    os.nice(10)


def _hand_over(settings: KernelSettings, connection_file: Path) -> None:
    """Let the sandbox user read the connection file and create its sockets in the runtime folder."""
    uid = settings.uid
    runtime = Path(settings.runtime)
    os.chown(runtime, uid, uid)
    os.chown(connection_file, uid, uid)


def _disk_full(sandbox_pid: int) -> bool:
    """True when the sandbox's tmpfs (the notebook's disk quota) is full, read from outside through
    the /proc view of the sandbox's first process."""
    try:
        inside = psutil.Process(sandbox_pid).children()
        stats = os.statvfs(f"/proc/{inside[0].pid}/root/tmp") if inside else None
    except (psutil.Error, OSError):
        return False
    return stats is not None and stats.f_bavail * stats.f_frsize < FULL_BELOW_BYTES


def _wait(kernel: subprocess.Popen, settings: KernelSettings) -> tuple[int, str | None]:
    """Wait for the kernel to end, stopping it at the notebook's time limit, when its disk is full, or
    when the grading process that started it is gone (a killed run leaves no kernel behind); return its
    exit code and what stopped it (None, "time", "disk" or "orphaned")."""
    deadline, grader = time.monotonic() + settings.limits.notebook_seconds, os.getppid()
    while True:
        try:
            return kernel.wait(timeout=min(POLL_SECONDS, max(deadline - time.monotonic(), 0.01))), None
        except subprocess.TimeoutExpired:
            limit = "time" if time.monotonic() >= deadline else "orphaned" if os.getppid() != grader else "disk" if (
                settings.sandboxed and _disk_full(kernel.pid)) else None
            if limit:
                kernel.kill()
                return kernel.wait(), limit


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


def _start(argv: list[str], **options) -> subprocess.Popen:
    """Start ``argv``; bwrap reads its own options from a pipe (``--args``), so that the sandbox's first
    process, whose command line anything inside can read in /proc/1/cmdline, shows no host paths."""
    if argv[0] != "bwrap":
        return subprocess.Popen(argv, **options)
    end = argv.index("--")
    packed = b"".join(os.fsencode(arg) + b"\0" for arg in argv[1:end])
    if len(packed) > PIPE_BYTES:
        raise ValueError(f"the sandbox's options take {len(packed)} bytes, more than a pipe holds")
    read, write = os.pipe()
    os.write(write, packed)
    os.close(write)
    try:
        return subprocess.Popen(["bwrap", "--args", str(read), *argv[end:]], pass_fds=(read,), **options)
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
    limits = settings.limits
    started = time.monotonic()
    log = open(Path(settings.status_file).with_name("kernel.log"), "ab")  # the kernel's own chatter
    kernel = _start(command(settings, connection_file, kernel_args), env=env, stdout=log, stderr=log,
                    stdin=subprocess.DEVNULL, preexec_fn=lambda: _set_limits(limits))
    stopped = []

    def stop(*_):
        stopped.append(True)
        kernel.kill()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    returncode, limit = _wait(kernel, settings)
    status = {"returncode": returncode, "stopped_by": limit, "seconds": round(time.monotonic() - started, 1),
              "explanation": _describe_end(returncode, limit, bool(stopped), limits)}
    Path(settings.status_file).write_text(json.dumps(status))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
