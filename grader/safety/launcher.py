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

from grader.safety import syscalls
from grader.safety.cgroups import OWN_PROCESSES, SandboxGroup
from grader.safety.confine import apply_limits
from grader.safety.sandbox import (
    CONNECTION_INSIDE,
    RUNTIME_INSIDE,
    SETPRIV_CAPABILITIES,
    KernelSettings,
    bwrap_arguments,
    start_process,
)
from grader.safety.uids import SandboxUser, allocate
from grader.safety.warm import WarmUnavailable, end_status, read_status, request_kernel
from grader.settings import GIB, MIB, Limits

POLL_SECONDS = 0.25  # how often the disk quota, the memory and the time limit are looked at
FULL_BELOW_BYTES = MIB  # the quota's tmpfs counts as full with less than this left
HOLDER_READY_SECONDS = 60  # bwrap builds a sandbox in milliseconds; a loaded machine may take seconds
CHANNELS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def _connection_inside(settings: KernelSettings, connection_file: Path) -> Path:
    """The connection file as the sandboxed kernel reads it: its sockets in the sandbox's /tmp (inside the
    disk quota); root's, read-only in the sandbox, so the kernel can neither grow nor replace it."""
    connection = json.loads(connection_file.read_text())
    inside = Path(settings.status_file).with_name("connection-inside.json")
    inside.write_text(json.dumps({**connection, "ip": f"{RUNTIME_INSIDE}/kernel"}))
    inside.chmod(0o644)
    return inside


def _link_sockets(connection_file: Path, sandbox_pid: int) -> None:
    """Where the grader's client looks for each socket (the runtime folder, only root's), a link to the
    kernel's socket in the sandbox's /tmp, reached through the sandbox's first process."""
    connection = json.loads(connection_file.read_text())
    for channel in CHANNELS:
        port = int(connection[channel])
        link = Path(f"{connection['ip']}-{port}")
        link.unlink(missing_ok=True)
        link.symlink_to(f"/proc/{sandbox_pid}/root{RUNTIME_INSIDE}/kernel-{port}")


def _disk_full(sandbox_pid: int | None) -> bool:
    """True when the sandbox's tmpfs (the notebook's disk quota) is full, read from outside through
    the /proc view of the sandbox's first process."""
    try:
        stats = os.statvfs(f"/proc/{sandbox_pid}/root/tmp") if sandbox_pid else None
    except OSError:
        return False
    return stats is not None and stats.f_bavail * stats.f_frsize < FULL_BELOW_BYTES


def _confine_child(group: SandboxGroup, limits: dict | None):
    """What the launcher's child does before it runs bwrap (or the kernel): join the sandbox's group, then
    take the kernel's limits. (The launcher is a process of its own with one thread: preexec_fn is safe.)"""
    def confine():
        group.join()
        if limits is not None:
            apply_limits(limits)
    return confine


class ColdKernel:
    """A kernel started from scratch: limits, then bwrap and setpriv, then python with the probe.

    It is the launcher's child: reaped only here, by os.wait4, and signalled through its pidfd (never
    through subprocess.Popen, whose kill() reaps a child that has just ended and then leaves os.wait4 with
    nothing to wait for)."""

    path = "cold"

    def __init__(self, settings: KernelSettings, kernel_args: list[str], env: dict, log, group: SandboxGroup,
                 user: SandboxUser | None, connection: Path):
        self.group, self.ended = group, None
        argv = command(settings, connection, kernel_args, user.uid if user else None)
        confine = _confine_child(group, {**settings.limits.as_dict(),
                                         "processes": kernel_process_limit(settings.limits, group)})
        if settings.sandboxed:
            self.process, self._sandbox_pid = _start_sandboxed(argv, confine, stdout=log, stderr=log)
        else:
            self.process, self._sandbox_pid = start_process(argv, preexec_fn=confine, env=env, stdout=log, stderr=log,
                                                     stdin=subprocess.DEVNULL), None
        self.pidfd = os.pidfd_open(self.process.pid)
        self.started, self.sampled_cpu, self.sampled_peak = time.monotonic(), 0.0, 0

    def sandbox_pid(self) -> int | None:
        return self._sandbox_pid

    def wait(self, timeout: float) -> dict | None:
        """The kernel's end status and cost once it has ended (None while it runs, after ``timeout`` s).

        bwrap does not pass its descendants' resource use up when it exits, so the kernel's CPU time and
        memory are also sampled here while it runs (once a call, from /proc); the larger figure is kept."""
        end = time.monotonic() + timeout
        self._sample()
        while self.ended is None:
            try:
                pid, wait_status, usage = os.wait4(self.process.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: its status is lost, not its cost
                pid, wait_status, usage = self.process.pid, -1, None
            if pid:
                status = end_status(wait_status, usage) if usage else {"returncode": -signal.SIGKILL,
                                                                       "cpu_seconds": 0.0, "peak_memory_mib": 0.0}
                self.process.returncode = status["returncode"]
                status["cpu_seconds"] = round(max(status["cpu_seconds"], self.sampled_cpu), 2)
                status["peak_memory_mib"] = round(max(status["peak_memory_mib"], self.sampled_peak / MIB), 1)
                self.ended = {**status, "wall_seconds": round(time.monotonic() - self.started, 2)}
                break
            if time.monotonic() >= end:
                return None
            select.select([self.pidfd], [], [], max(end - time.monotonic(), 0.001))
        return self.ended

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
        if self.ended is None:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        os.close(self.pidfd)


class WarmKernel:
    """A kernel forked from the worker's warm process (grader.safety.warm) into a sandbox bwrap builds here."""

    path = "warm"

    def __init__(self, settings: KernelSettings, settings_file: Path, connection: Path, log,
                 group: SandboxGroup, user: SandboxUser | None):
        self.holder, self._sandbox_pid, self.connection, self.pidfd = None, None, None, None
        if settings.sandboxed:
            self.holder, self._sandbox_pid = _start_sandboxed(
                bwrap_arguments([Path(p) for p in settings.readable], settings.env, settings.limits.disk_bytes,
                                connection=connection) + ["sh", "-c", "echo ready && exec sleep infinity"],
                _confine_child(group, None), stdout=subprocess.PIPE, stderr=log, holder=True)
            self.pidfd = _pidfd_of_child_of(self._sandbox_pid, self.holder.pid)
        try:
            self.connection = request_kernel(
                settings.warm_socket, {"settings": str(settings_file), "uid": user.uid if user else None,
                                       "connection_file": CONNECTION_INSIDE if settings.sandboxed else str(connection),
                                       "cgroup": group.procs_files(),
                                       "processes": kernel_process_limit(settings.limits, group)}, self.pidfd)
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
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        if self.holder is not None:
            self.holder.kill()
            self.holder.wait()


def _pidfd_of_child_of(pid: int, parent: int) -> int:
    """A pidfd of ``pid``, checked to be ``parent``'s child once open (so not a reused number)."""
    pidfd = os.pidfd_open(pid)
    if psutil.Process(pid).ppid() != parent:
        os.close(pidfd)
        raise RuntimeError("the sandbox's first process ended before the kernel could join it")
    return pidfd


def _start_sandboxed(argv: list[str], confine, holder: bool = False, **options) -> tuple[subprocess.Popen, int]:
    """Start bwrap (``argv``) with the seccomp filter; return it and the host pid of the sandbox's first process.

    bwrap reports that pid (--info-fd) before it has finished building the sandbox's mounts; a ``holder``
    (a process that only waits, for a warm kernel to join) also says when it runs, which it does once the
    sandbox is complete, and nothing joins before that."""
    info_read, info_write = os.pipe()
    filter_fd = syscalls.as_descriptor() if syscalls.program() is not None else None
    end = argv.index("--")
    extra = ["--info-fd", str(info_write)] + (["--seccomp", str(filter_fd)] if filter_fd is not None else [])
    argv = argv[:end] + extra + argv[end:]
    try:
        process = start_process(argv, preexec_fn=confine, stdin=subprocess.DEVNULL,
                         pass_fds=(info_write,) + ((filter_fd,) if filter_fd is not None else ()), **options)
    finally:
        os.close(info_write)
        if filter_fd is not None:
            os.close(filter_fd)
    with os.fdopen(info_read) as info:
        text = info.read()
    if holder:
        ready, _, _ = select.select([process.stdout], [], [], HOLDER_READY_SECONDS)
        if not (ready and process.stdout.readline().strip() == b"ready"):
            text = ""
    if not text.strip():
        process.kill()
        raise RuntimeError(f"bwrap could not build the sandbox (exit {process.wait()}): see kernel.log")
    return process, json.loads(text)["child-pid"]


def _limit_reached(kernel, settings: KernelSettings, deadline: float, grader: int,
                   group: SandboxGroup) -> str | None:
    """What stops the kernel now, if anything: its time limit, its grading process gone, its sandbox's
    memory (the OOM killer struck inside its group), its group's task bound (a fork bomb), or a full disk."""
    if time.monotonic() >= deadline:
        return "time"
    if os.getppid() != grader:
        return "orphaned"
    usage = group.usage()
    if usage["oom_kills"]:
        return "memory"
    if usage["process_limit_hits"]:
        return "processes"
    if settings.sandboxed and _disk_full(kernel.sandbox_pid()):
        return "disk"
    return None


def _wait(kernel, settings: KernelSettings, group: SandboxGroup) -> tuple[dict, str | None]:
    """Wait for the kernel to end, stopping it at the notebook's time limit, when its memory or disk is
    full, or when the grading process that started it is gone (a killed run leaves no kernel behind);
    return its end status and what stopped it (None, "time", "memory", "processes", "disk" or "orphaned")."""
    deadline, grader = time.monotonic() + settings.limits.notebook_seconds, os.getppid()
    while True:
        status = kernel.wait(min(POLL_SECONDS, max(deadline - time.monotonic(), 0.01)))
        if status is not None:
            return status, None
        limit = _limit_reached(kernel, settings, deadline, grader, group)
        if limit:
            kernel.kill()
            group.kill()  # every process of the sandbox, not only the kernel
            return kernel.wait(10) or {"returncode": -signal.SIGKILL}, limit


def command(settings: KernelSettings, connection_file: Path, kernel_args: list[str], uid: int | None) -> list[str]:
    """The cold kernel's command line: with ``uid``, inside bwrap (which keeps only the capabilities setpriv
    needs to become ``uid``; setpriv then drops every one) reading the connection file bound into it."""
    output_bytes = settings.limits.output_bytes
    start_with_probe = (f"import sys; sys.path.insert(0, {settings.probe_dir!r}); "
                        f"import grader_probe; grader_probe.start({output_bytes})")  # see grader.safety.probe
    inside = CONNECTION_INSIDE if settings.sandboxed else str(connection_file)
    kernel = [settings.python, "-c", start_with_probe, "-f", inside, *kernel_args]
    if not settings.sandboxed:
        return kernel
    drop_privileges = ["setpriv", "--reuid", str(uid), "--regid", str(uid), "--clear-groups",
                       "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    sandbox = bwrap_arguments([Path(p) for p in settings.readable], settings.env, settings.limits.disk_bytes,
                              connection=connection_file, keep_capabilities=SETPRIV_CAPABILITIES)
    return sandbox + drop_privileges + kernel


def kernel_process_limit(limits: Limits, group: SandboxGroup) -> int:
    """The kernel's RLIMIT_NPROC: the notebook's process limit, or, where its sandbox's group bounds its tasks,
    a few more, so that the group's bound is met first: the launcher watches it and stops a fork bomb with
    one reason, where a failed fork alone leaves the outcome to chance (the kernel may or may not recover)."""
    return limits.processes + (OWN_PROCESSES + 4 if group.bounds("pids") else 0)


def sandbox_memory_bytes(limits: Limits, sandboxed: bool) -> int:
    """What a sandbox's group may hold in memory: the notebook's memory and, sandboxed, its /tmp (a tmpfs,
    held in RAM too)."""
    return limits.memory_bytes + (limits.disk_bytes if sandboxed else 0)


def _gib(size: int) -> str:
    return f"{size / GIB:.2f}".rstrip("0").rstrip(".") + " GiB"


def _describe_end(returncode: int, limit: str | None, stopped: bool, limits: Limits, usage: dict,
                  sandboxed: bool) -> str:
    """Why the kernel ended, one reason per way it can end (the first that holds, in this order)."""
    # A group at its memory bound reclaims and kills; its kernel may stop answering before a kill is counted.
    if limit == "memory" or usage.get("oom_kills") or (stopped and usage.get("memory_limit_hits")):
        return (f"the notebook used more than {_gib(sandbox_memory_bytes(limits, sandboxed))} of memory "
                f"({'its processes and its /tmp together' if sandboxed else 'its processes together'}) "
                "and its kernel was stopped")
    if limit == "disk":
        return (f"the notebook filled its {limits.disk_bytes // MIB} MiB of disk (its folder and /tmp together) "
                "and its kernel was stopped")
    if limit == "time":
        return f"the notebook ran past its time limit of {limits.notebook_seconds} s and its kernel was stopped"
    if limit == "processes" or (usage.get("process_limit_hits") and (stopped or returncode != 0)):
        return (f"the notebook tried to run more than {limits.processes} processes and threads at once (a fork "
                "bomb?); it stopped answering, so the grader shut the kernel down")
    if stopped:
        return ("the kernel stopped answering: a cell ran past its time limit and could not be interrupted, "
                "so the grader shut the kernel down")
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


def _start_kernel(settings: KernelSettings, settings_file: Path, connection_file: Path, kernel_args: list[str],
                  log, group: SandboxGroup, user: SandboxUser | None) -> tuple["ColdKernel | WarmKernel", str | None]:
    """The kernel, warm if the worker has a warm process that answers, else cold; and why not warm, if so."""
    env = dict(settings.env) if settings.sandboxed else {**os.environ, **settings.env}
    connection = _connection_inside(settings, connection_file) if settings.sandboxed else connection_file
    fallback = None
    if settings.warm_socket:
        try:
            kernel = WarmKernel(settings, settings_file, connection, log, group, user)
        except WarmUnavailable as error:  # grade cold rather than not at all, and say so
            fallback = str(error)
        else:
            return kernel, None
    return ColdKernel(settings, kernel_args, env, log, group, user, connection), fallback


def main(argv: list[str]) -> int:
    settings = KernelSettings.read(Path(argv[0]))
    try:
        return launch(settings, Path(argv[0]), Path(argv[1]), argv[2:])
    except BaseException as error:  # the grade then says why its kernel could not be started, not nothing
        Path(settings.status_file).write_text(json.dumps({"returncode": 1, "explanation": (
            f"the grader could not start or watch the kernel: {type(error).__name__}: {error}")}))
        raise


def launch(settings: KernelSettings, settings_file: Path, connection_file: Path, kernel_args: list[str]) -> int:
    """Start the kernel, wait for it while watching its limits, and record how it ended and its cost."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # an inherited "ignore" would reap the kernel behind wait4
    log = open(Path(settings.status_file).with_name("kernel.log"), "ab")  # the kernel's own chatter
    group = SandboxGroup(connection_file.parent.parent.name, sandbox_memory_bytes(settings.limits, settings.sandboxed),
                         settings.limits.processes)
    user = allocate() if settings.sandboxed else None
    kernel, stopped, started = None, [], time.monotonic()

    def record(status: dict, limit: str | None, fallback: str | None) -> None:
        usage = group.usage()
        status["cpu_seconds"] = round(max(status.get("cpu_seconds", 0.0), usage["cpu_seconds"]), 2)
        if group.bounds("memory"):  # what the sandbox held in all (the kernel's RSS counts the warm image's too)
            status["peak_memory_mib"] = round(usage["peak_bytes"] / MIB, 1)
        status.update(path=kernel.path if kernel else None, fallback=fallback,
                      stopped_by=limit or ("memory" if usage["oom_kills"] else None),
                      explanation=status.pop("failure", None) or _describe_end(
                          status["returncode"], limit, bool(stopped), settings.limits, usage, settings.sandboxed))
        Path(settings.status_file).write_text(json.dumps(status))

    def stop(*_):  # nbgrader shuts the kernel down: it gives the launcher seconds, then SIGKILL
        stopped.append(True)
        if kernel is not None:
            kernel.kill()
        group.kill()
        # what is known now, in case the SIGKILL comes before the kernel's own end status
        record({"returncode": -signal.SIGKILL, "wall_seconds": round(time.monotonic() - started, 2)}, None,
               getattr(kernel, "fallback", None))

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    try:
        kernel, fallback = _start_kernel(settings, settings_file, connection_file, kernel_args, log, group, user)
        kernel.fallback = fallback
        if settings.sandboxed:
            _link_sockets(connection_file, kernel.sandbox_pid())
        status, limit = _wait(kernel, settings, group)
        record(status, limit, fallback)  # before the clean-up, which a SIGKILL may cut short
    finally:
        if kernel is not None:
            kernel.close()
        group.remove()  # a group left by a killed launcher is removed by the next one (it is named after its pid)
        if user is not None:
            user.release()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
