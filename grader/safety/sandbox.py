"""The sandbox a graded notebook's kernel runs in: bubblewrap, an unprivileged user and resource limits.

Policy lives here; grader.safety.launcher applies it when nbgrader starts the kernel. Inside the
sandbox the kernel sees, read-only, only the Python installation, the course's ``helpers`` package and
the FashionMNIST folder; it may write only to its private scratch folder, a tmpfs at /tmp (with its
working folder, /sandbox, inside) whose size is the notebook's disk quota, gone with the kernel. It has no
network (a new network namespace), no view of solutions/, the course folder, the gradebook or other
students' files, and runs as a user id of its own (grader.safety.uids), so the process limit counts its
processes alone. bwrap keeps no capability for it (``--cap-drop ALL``) and installs a seccomp filter
(grader.safety.syscalls) that refuses new namespaces, mounts and the like. Its runtime folder (the
connection file and the kernel's sockets) is on that same tmpfs: the host's disk holds none of it, and the
grader reaches the sockets through links into the sandbox (grader.safety.launcher). Its memory, processes
and share of the CPU are bounded as a whole by a control group where the machine has one
(grader.safety.cgroups).
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.settings import DEFAULT_LIMITS, Limits
from helpers.observations import SEED_VARIABLE

if TYPE_CHECKING:
    from grader.safety.warm import WarmProcess

KERNEL_NAME = "grader-sandbox"
SCRATCH_INSIDE = "/sandbox"  # the kernel's folders inside the sandbox (work, home): a link into /tmp
SANDBOX_IN_TMP = "/tmp/sandbox"
RUNTIME_INSIDE = "/tmp/runtime"  # the kernel's sockets, on the sandbox's tmpfs (so inside its disk quota)
CONNECTION_INSIDE = "/connection.json"  # the kernel's connection file, bound read-only, owned by root
SETPRIV_CAPABILITIES = ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")  # a cold kernel's setpriv drops them at once
PROBE_SOURCE = Path(__file__).with_name("probe.py")
PIPE_BYTES = 60_000  # what a pipe surely holds before its reader starts (Linux: 64 KiB)
SOCKET_PATH_BYTES = 107  # the longest path a Unix socket may have on Linux (sun_path, less its NUL)


@dataclass(frozen=True)
class KernelSettings:
    """How to start one job's kernel: written by :func:`write_kernel`, read by grader.safety.launcher."""

    sandboxed: bool
    limits: Limits
    scratch: str
    runtime: str
    readable: list[str]
    env: dict[str, str]
    probe_dir: str
    python: str
    status_file: str
    warm_socket: str | None = None  # the worker's warm process (grader.safety.warm); None: a cold kernel

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def read(cls, path: Path) -> "KernelSettings":
        data = json.loads(Path(path).read_text())
        return cls(**{**data, "limits": Limits(**data["limits"])})


class SandboxUnavailable(RuntimeError):
    """Grading untrusted code was requested but the sandbox cannot run here."""


NO_SANDBOX_ADVICE = ("Install bubblewrap (as root: apt-get install bubblewrap) and grade as root, or pass "
                     "--no-sandbox to run student code without isolation (only for code you trust).")


def sandbox_problem() -> str | None:
    """Why the sandbox cannot run on this machine, or None when it can (it is tried once for real)."""
    for tool in ("bwrap", "setpriv"):
        if not shutil.which(tool):
            return f"`{tool}` is not installed"
    if os.geteuid() != 0:
        return "the sandbox needs root, to run each kernel as a user id of its own"
    probe = subprocess.run(bwrap_arguments([], {}) + ["true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bwrap cannot create a sandbox here: {probe.stderr.strip() or probe.returncode}"
    return None


def require_sandbox() -> None:
    problem = sandbox_problem()
    if problem:
        raise SandboxUnavailable(f"cannot sandbox student code: {problem}. {NO_SANDBOX_ADVICE}")


def readonly_paths() -> list[Path]:
    """What a graded kernel needs to read: Python (base and venv), helpers/ and the data folder."""
    import helpers
    from helpers.data_folder import default_root as data_root

    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(helpers.__file__).parent,
             Path(sysconfig.get_paths()["purelib"]), data_root()}
    return sorted(path.resolve() for path in paths if path.exists())


def _ancestors(paths: list[Path]) -> list[Path]:
    """Every folder above ``paths``, outermost first, so the sandbox can create them world-readable."""
    seen = []
    for path in paths:
        for parent in reversed(path.parents):
            if parent not in (Path("/"), Path("/tmp")) and parent not in seen and not str(parent).startswith("/usr"):
                seen.append(parent)
    return seen


def bwrap_arguments(readable: list[Path], env: dict[str, str], disk_bytes: int = DEFAULT_LIMITS.disk_bytes,
                    connection: Path | None = None, seccomp_fd: int | None = None,
                    keep_capabilities: tuple[str, ...] = ()) -> list[str]:
    """The bwrap command line (without the program): the file system view, namespaces and environment.

    All the kernel may write is one tmpfs of ``disk_bytes`` at /tmp, with /sandbox a link to its working
    folders and its runtime folder in it too: a write past the quota fails (ENOSPC) and no byte of it
    reaches the host's disk. ``connection`` (a host file) is bound read-only at CONNECTION_INSIDE. The
    sandbox keeps no capability but ``keep_capabilities``; ``seccomp_fd`` holds its seccomp filter."""
    args = ["bwrap", "--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        if Path("/", link).is_symlink():
            args += ["--symlink", os.readlink(Path("/", link)), f"/{link}"]
        elif Path("/", link).exists():
            args += ["--ro-bind", f"/{link}", f"/{link}"]
    for name in ("ld.so.cache", "localtime", "nsswitch.conf", "fonts"):
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    # /tmp first: the paths bound next may lie under the real /tmp (a clone in /tmp, say) and must stay visible.
    args += ["--perms", "1777", "--size", str(disk_bytes), "--tmpfs", "/tmp",
             "--perms", "0755", "--dir", SANDBOX_IN_TMP, "--perms", "1777", "--dir", RUNTIME_INSIDE]
    for sub in ("work", "home"):
        args += ["--perms", "1777", "--dir", f"{SANDBOX_IN_TMP}/{sub}"]
    args += ["--symlink", SANDBOX_IN_TMP, SCRATCH_INSIDE]
    for folder in _ancestors([Path(p) for p in readable]):
        args += ["--perms", "0755", "--dir", str(folder)]
    for path in readable:
        args += ["--ro-bind", str(path), str(path)]
    if connection is not None:
        args += ["--ro-bind", str(connection), CONNECTION_INSIDE]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
             "--hostname", "sandbox", "--die-with-parent", "--new-session",
             "--chdir", f"{SCRATCH_INSIDE}/work", "--clearenv", "--cap-drop", "ALL"]
    for capability in keep_capabilities:
        args += ["--cap-add", capability]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args + ["--"]


def start_process(argv: list[str], pass_fds: tuple[int, ...] = (), **options) -> subprocess.Popen:
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


def kernel_environment(home: str) -> dict[str, str]:
    """The graded kernel's whole environment: grading mode, one quiet thread, caches in scratch."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": home, "MPLCONFIGDIR": f"{home}/.matplotlib", "IPYTHONDIR": f"{home}/.ipython",
        "JUPYTER_CONFIG_DIR": f"{home}/.jupyter", "JUPYTER_DATA_DIR": f"{home}/.jupyter-data",
        "TORCH_HOME": f"{home}/.torch", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
        "NBGRADER_EXECUTION": "autograde",
        # One OpenMP thread that sleeps when idle: parallel kernels then share the cores instead of spinning.
        "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE", "MKL_NUM_THREADS": "1",
    }
    for key in ("COURSE_DATA_DIR", "COURSE_DEVICE"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    return env


def enforced_bounds(sandboxed: bool, limits: Limits = DEFAULT_LIMITS) -> str:
    """Which bounds hold on this machine beyond the per-process limits, for ``autograde``'s limits line."""
    from grader.safety import cgroups, syscalls

    memory = limits.memory_bytes + (limits.disk_bytes if sandboxed else 0)
    parts = [cgroups.describe(memory, limits.processes, " with its /tmp" if sandboxed else ""),
             "oom_score_adj 1000"]
    if sandboxed:
        filtered = syscalls.program() is not None
        parts += ["no capabilities", syscalls.describe(),
                  "no nested user namespaces" if filtered else "nested user namespaces NOT blocked"]
    return ", ".join(parts)


def write_kernel(job_dir: Path, limits: Limits, sandboxed: bool, seed: int | None = None,
                 warm: "WarmProcess | None" = None) -> dict[str, Path]:
    """Write the job's kernelspec and launcher settings; return the folders the job uses.

    ``job_dir`` must be invisible to the kernel. Its runtime folder holds the connection file and, once the
    kernel runs, links to the kernel's sockets (in the sandbox's own /tmp when sandboxed); scratch is an
    unsandboxed kernel's folder.
    ``seed`` is the batch's observation seed (helpers.observations), given to the kernel. With ``warm``, the
    kernel is forked from the worker's (running) warm process, whose copy of the probe it then sees.
    """
    folders = {name: job_dir / name for name in ("scratch", "runtime", "kernels")}
    folders["sockets"] = folders["runtime"] / "kernel"  # jupyter_client adds -1 ... -5, one per channel
    longest = f"{folders['sockets']}-5"
    if len(os.fsencode(longest)) > SOCKET_PATH_BYTES:
        raise ValueError(f"the kernel's sockets would be at {longest}, longer than the {SOCKET_PATH_BYTES} bytes "
                         "a Unix socket's path may have: set TMPDIR to a shorter folder (e.g. /tmp) and grade again")
    for sub in ("work", "home", "tmp"):
        (folders["scratch"] / sub).mkdir(parents=True, exist_ok=True)
    folders["runtime"].mkdir(parents=True, exist_ok=True)
    if warm is None:
        probe_dir = job_dir / "probe"
        probe_dir.mkdir(exist_ok=True)
        shutil.copyfile(PROBE_SOURCE, probe_dir / "grader_probe.py")
    else:
        probe_dir = warm.probe_dir
    home = f"{SCRATCH_INSIDE}/home" if sandboxed else str(folders["scratch"] / "home")
    env = kernel_environment(home)
    if seed is not None:
        env[SEED_VARIABLE] = str(seed)
    settings = KernelSettings(
        sandboxed=sandboxed, limits=limits,
        scratch=str(folders["scratch"]), runtime=str(folders["runtime"]),
        readable=[str(p) for p in readonly_paths() + [probe_dir]], env=env,
        probe_dir=str(probe_dir), python=sys.executable, status_file=str(job_dir / "kernel-status.json"),
        warm_socket=warm.socket if warm else None)
    settings_file = job_dir / "kernel-settings.json"
    settings.write(settings_file)
    spec_dir = folders["kernels"] / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "grader.safety.launcher", str(settings_file), "{connection_file}"],
            "display_name": "Python 3 (grading sandbox)", "language": "python",
            "interrupt_mode": "message"}  # signals do not cross into the sandbox's own session
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return folders


def read_status(job_dir: Path) -> dict:
    """What the launcher recorded about how the kernel ended ({} if it never wrote)."""
    try:
        return json.loads((job_dir / "kernel-status.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
