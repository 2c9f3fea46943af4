"""Real servers on loopback for tests: PostgreSQL (Debian's package) and a Dask scheduler with workers."""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

INITDB = "/usr/lib/postgresql/*/bin/initdb"  # Debian's postgresql package, any version


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on port {port} within {seconds} s")


@contextmanager
def postgresql_server():
    """Start a throw-away PostgreSQL server on 127.0.0.1; yield a database URL for it."""
    binaries = sorted(glob.glob(INITDB))
    if not binaries:
        raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql package as root")
    bin_dir = Path(binaries[-1]).parent
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="course-pg-"))
    base.chmod(0o755)
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    if run_as:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    try:
        subprocess.run(run_as + [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "grader"], **quiet)
        subprocess.run(run_as + [str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "server.log"),
                                 "-o", f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1", "start"], **quiet)
        subprocess.run(run_as + [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "grader",
                                 "grades"], **quiet)
        yield f"postgresql://grader@127.0.0.1:{port}/grades"
    finally:
        subprocess.run(run_as + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def dask_cluster(workers: int = 2):
    """A Dask scheduler and workers as separate processes on loopback; yield the scheduler address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    worker = None
    try:
        _wait_for_port(port, scheduler, "the Dask scheduler")
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers",
                                   str(workers), "--nthreads", "1", "--no-dashboard"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        yield address
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, 9)
