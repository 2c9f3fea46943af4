"""The limits of one graded notebook: the single source for the CLI's defaults, nbgrader's cell timeout,
the output cap and the in-kernel probe's print budget."""

from dataclasses import asdict, dataclass

MIB = 2**20
GIB = 2**30


@dataclass(frozen=True)
class Limits:
    """What one graded notebook may use. Times in seconds, sizes in bytes."""

    cell_seconds: int = 180  # wall time per cell, then the cell is interrupted (KeyboardInterrupt)
    notebook_seconds: int = 900  # wall time for the whole notebook, then the kernel is killed
    cpu_seconds: int = 900  # CPU time of the kernel process (RLIMIT_CPU)
    memory_bytes: int = 6 * 1024 * MIB  # address space per process (RLIMIT_AS); torch alone maps ~2 GiB
    processes: int = 32  # processes and threads of the sandbox user (RLIMIT_NPROC)
    file_bytes: int = 256 * MIB  # largest file the notebook may write (RLIMIT_FSIZE)
    disk_bytes: int = 1024 * MIB  # all the notebook writes: its folder and /tmp, a tmpfs of this size (sandbox only)
    output_bytes: int = 2 * MIB  # outputs kept per notebook; the rest is dropped with a notice
    open_files: int = 1024  # RLIMIT_NOFILE

    def describe(self) -> str:
        return (f"{self.cell_seconds} s per cell, {self.notebook_seconds} s per notebook, {self.cpu_seconds} s CPU, "
                f"{self.memory_bytes // MIB} MiB address space, {self.processes} processes, "
                f"{self.file_bytes // MIB} MiB per file, {self.disk_bytes // MIB} MiB of disk in all, "
                f"{self.output_bytes // MIB} MiB of output")

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_LIMITS = Limits()
