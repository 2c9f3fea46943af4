"""What the grader hands the kernel launcher: typed settings that survive the trip, and a clear error
where the temp folder's path is too long for the kernel's sockets."""

import tempfile
from pathlib import Path

import pytest

from grader.safety.sandbox import KernelSettings, write_kernel
from grader.settings import DEFAULT_LIMITS, Limits


def test_kernel_settings_cross_the_process_boundary_typed():
    limits = Limits(cell_seconds=7, memory_bytes=3 * 2**30)
    with tempfile.TemporaryDirectory(prefix="job-") as folder:  # short, as a grading job's folder is
        job_dir = Path(folder)
        write_kernel(job_dir, limits, sandboxed=True)
        settings = KernelSettings.read(job_dir / "kernel-settings.json")
    assert isinstance(settings.limits, Limits) and settings.limits == limits
    assert settings.sandboxed is True and settings.scratch == str(job_dir / "scratch")
    assert settings.env["NBGRADER_EXECUTION"] == "autograde"


def test_a_temp_folder_too_deep_for_unix_sockets_is_refused_with_advice(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    with pytest.raises(ValueError, match="set TMPDIR to a shorter folder"):
        write_kernel(deep, DEFAULT_LIMITS, sandboxed=True)
