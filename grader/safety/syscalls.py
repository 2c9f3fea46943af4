"""The system calls a sandboxed process may not make: a seccomp filter, built with libseccomp.

The filter refuses (EPERM) the calls that an escape from a sandbox starts with: new or joined namespaces
(``unshare``, ``setns``, and ``clone`` asking for a user namespace; ``clone3``, whose flags a filter cannot
read, answers ENOSYS so that the C library falls back to ``clone``), mounts, keyrings, BPF, performance
counters, tracing, kernel modules and kexec, file handles and userfaultfd. Every other call is allowed;
a call of another architecture (32-bit calls on a 64-bit machine) kills the process.

bwrap installs it for a cold kernel, its holder and the artifacts loader (``--seccomp FD``); a warm
kernel installs it itself (:func:`install`) once it has dropped root, since it is forked outside bwrap.
The filter is built with pyseccomp, a binding of libseccomp (requirements.txt); where libseccomp is
missing, :func:`program` is None and the limits line says the sandbox runs without it.
"""

import ctypes
import errno
import os
import tempfile
from functools import cache

REFUSED = ("mount", "umount2", "unshare", "setns", "pivot_root", "chroot", "keyctl", "add_key", "request_key",
           "bpf", "perf_event_open", "ptrace", "process_vm_readv", "process_vm_writev", "kexec_load",
           "kexec_file_load", "init_module", "finit_module", "delete_module", "open_by_handle_at",
           "name_to_handle_at", "userfaultfd", "fsopen", "fsconfig", "fsmount", "fspick", "open_tree",
           "move_mount", "mount_setattr", "swapon", "swapoff", "reboot", "acct", "quotactl",
           "lookup_dcookie", "iopl", "ioperm", "syslog")
CLONE_NEWUSER = 0x10000000
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
INSTRUCTION_BYTES = 8  # struct sock_filter


@cache
def program() -> bytes | None:
    """The filter as a BPF program (bytes), or None where libseccomp cannot be had."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError):  # the binding, or the C library it loads, is missing
        return None
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in REFUSED:
        try:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
        except (ValueError, RuntimeError, OSError):  # a call this machine's kernel does not know
            continue
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_NEWUSER,
                                                                    CLONE_NEWUSER))
    with tempfile.TemporaryFile() as exported:
        rules.export_bpf(exported)
        exported.seek(0)
        return exported.read()


def describe() -> str:
    return "seccomp filter" if program() is not None else "no seccomp filter (libseccomp missing)"


def as_descriptor() -> int:
    """A readable descriptor holding the filter, for bwrap's ``--seccomp FD`` (the caller closes it)."""
    read, write = os.pipe()
    os.write(write, program())  # a few hundred bytes: a pipe holds them
    os.close(write)
    return read


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(bpf: bytes) -> None:
    """Install the filter on the calling thread (it then holds for every process it starts); the caller
    must already have no_new_privs set, as an unprivileged process must."""
    buffer = ctypes.create_string_buffer(bpf, len(bpf))
    fprog = _SockFprog(len(bpf) // INSTRUCTION_BYTES, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"installing the seccomp filter failed: {os.strerror(ctypes.get_errno())}")
