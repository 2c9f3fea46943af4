"""Confine the current process: resource limits, a sandbox's namespaces, and a user without privileges.

The cold path applies the limits in the launcher's child before it runs bwrap and setpriv. The warm path
(grader.safety.warm) forks a kernel from a process that has imported torch; the fork joins the namespaces
of a sandbox that bwrap has built for the submission (as ``nsenter`` does) and then drops root the way
setpriv does. Standard library only: the warm process imports this before any kernel exists.
"""

import ctypes
import os
import resource
import signal

CLONE_FLAGS = {"cgroup": 0x02000000, "ipc": 0x08000000, "uts": 0x04000000, "net": 0x40000000,
               "pid": 0x20000000, "mnt": 0x00020000}  # joined in this order, the mount namespace last
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
CAPABILITY_LINES = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")


class ConfinementFailed(RuntimeError):
    """The process could not be confined: it must not run student code."""


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise ConfinementFailed(f"{what} failed: {os.strerror(error)}")


def apply_limits(limits: dict) -> None:
    """Resource limits of one kernel (hard and soft), and a lower priority than the grader itself."""
    for name, key in (("RLIMIT_CPU", "cpu_seconds"), ("RLIMIT_AS", "memory_bytes"), ("RLIMIT_NPROC", "processes"),
                      ("RLIMIT_FSIZE", "file_bytes"), ("RLIMIT_NOFILE", "open_files")):
        resource.setrlimit(getattr(resource, name), (limits[key], limits[key]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(10)


def _pid_of(pidfd: int) -> int:
    for line in open(f"/proc/self/fdinfo/{pidfd}").read().splitlines():
        if line.startswith("Pid:") and int(line.split()[1]) > 0:
            return int(line.split()[1])
    raise ConfinementFailed("the sandbox ended before the kernel could join it (its pidfd names no process)")


def join_sandbox(pidfd: int) -> None:
    """Enter the namespaces and the root of the sandbox whose first process ``pidfd`` refers to.

    The namespaces and root are opened through /proc by the process's number, then the pidfd is asked
    whether that process still runs: if it does, its number was not reused, so what was opened is its.
    The pid namespace applies to children only: the caller must fork, and the child runs the kernel."""
    libc = _libc()
    sandbox_pid = _pid_of(pidfd)
    try:
        namespaces = {name: os.open(f"/proc/{sandbox_pid}/ns/{name}", os.O_RDONLY) for name in CLONE_FLAGS
                      if os.path.exists(f"/proc/{sandbox_pid}/ns/{name}")}
        root = os.open(f"/proc/{sandbox_pid}/root", os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError as error:
        raise ConfinementFailed("the sandbox ended before the kernel could join it") from error
    try:
        try:
            signal.pidfd_send_signal(pidfd, 0)
        except ProcessLookupError as error:
            raise ConfinementFailed("the sandbox ended before the kernel could join it") from error
        for name, descriptor in namespaces.items():
            _check(libc.setns(descriptor, CLONE_FLAGS[name]), f"joining the sandbox's {name} namespace")
        os.fchdir(root)
        os.chroot(".")
    finally:
        for descriptor in [*namespaces.values(), root]:
            os.close(descriptor)


def drop_privileges(uid: int) -> None:
    """Become ``uid`` (group too) with no capabilities, no way to gain any (no_new_privs), no extra groups;
    raise unless /proc/self/status then shows every capability set empty."""
    libc = _libc()
    last_capability = int(open("/proc/sys/kernel/cap_last_cap").read())
    for capability in range(last_capability + 1):
        _check(libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0), "dropping a capability")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "setting no_new_privs")
    status = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\t" in line)
    held = [name for name in CAPABILITY_LINES if int(status.get(name, "0"), 16)]
    if os.getuid() != uid or os.geteuid() != uid or held or status.get("NoNewPrivs", "0").strip() != "1":
        raise ConfinementFailed(f"privileges not dropped: uid {os.geteuid()}, capabilities still held: {held}")
