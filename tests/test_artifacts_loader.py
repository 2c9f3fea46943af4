"""The artifacts loader (grader/safety/artifacts.py, grader/safety/loader.py): it loads only the files a
test's hidden block asked for, refuses crafted files with a clear reason, runs as a sandbox user id with no
network and limits it set itself, and what it uses is added to the notebook's cost."""

import base64
import io
import json
import subprocess
import sys
import time
import zipfile

import pytest
import torch

from grader.paths import SOLUTIONS
from grader.safety import artifacts, loader, uids
from grader.safety.artifacts import files_asked, read_files
from grader.settings import MIB, Limits

pytestmark = [pytest.mark.sandbox]
LIMITS = Limits(memory_bytes=4 * 2**30, cpu_seconds=100, notebook_seconds=100)


def _saved(value) -> bytes:
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    """An archive shaped like torch.save's, one entry deflated: 512 MiB of zeros in about half a MiB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", _saved({"a": torch.ones(1)}))
        archive.writestr("archive/data/0", b"\0" * (512 * MIB))
    return out.getvalue()


def _report(name: str, data: bytes) -> dict:
    return {"name": name, "value": {"file": base64.b64encode(data).decode()}}


def test_the_files_a_lesson_asks_for_are_read_from_its_hidden_blocks():
    asked = files_asked((SOLUTIONS / "08_save_and_load.ipynb").read_bytes())
    assert {name for names in asked.values() for name in names} == {"checkpoint", "saved file"}, asked
    assert not any(files_asked((SOLUTIONS / "02_tensors.ipynb").read_bytes()).values())


def test_crafted_files_are_refused_with_a_reason_and_forged_reports_load_nothing():
    weights = {"weight": torch.tensor([[1.0, 2.0]])}
    observed = {"t": {"weights": _report("weights", _saved(weights)),
                      "bomb": _report("bomb", _zip_bomb()),
                      "huge": _report("huge", _saved({"w": torch.zeros(1).expand(10**6, 10**6)})),
                      "not asked": _report("not asked", _saved(weights))},
                "other test": {"weights": _report("weights", _saved(weights))}}
    used = {"cpu_seconds": 1.0, "wall_seconds": 2.0, "peak_memory_mib": 10.0}
    read = read_files(observed, {"t": {"weights", "bomb", "huge"}}, LIMITS, sandboxed=True, used=used)
    assert read["t"]["weights"]["value"]["file holds"]["dict"][0][0] == "weight"
    assert "refused as a zip bomb" in read["t"]["bomb"]["value"]["file holds"]["unreadable"]
    huge = read["t"]["huge"]["value"]["file holds"]["unreadable"]
    assert "claims 1000000000000 values (3.64 TiB)" in huge and "refused" in huge, huge
    for grade_id, name in (("t", "not asked"), ("other test", "weights")):
        assert read[grade_id][name]["value"] == {"file holds": artifacts.NOT_ASKED}, (grade_id, name)
    assert used["cpu_seconds"] > 1.0 and used["wall_seconds"] > 2.0, f"the loader's cost was not added: {used}"


LOADER_VIEW = '''import json, os, resource, socket, sys
limits = json.loads(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"],) * 2)
try:
    socket.create_connection(("1.1.1.1", 80), timeout=3)
    network = "REACHED"
except OSError as error:
    network = type(error).__name__
sys.stdin.read()
status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\\t" in line)
json.dump([{"uid": os.getuid(), "network": network, "CapEff": status["CapEff"].strip(),
            "Seccomp": status["Seccomp"].strip(), "oom_score_adj": open("/proc/self/oom_score_adj").read().strip(),
            "address space": resource.getrlimit(resource.RLIMIT_AS)[0], "sees solutions": os.path.exists(SOLUTIONS)}],
          sys.stdout)
'''


def test_the_loader_runs_as_a_sandbox_user_without_network_or_capability(tmp_path, monkeypatch):
    """The loader's sandbox, seen from inside by a stand-in for loader.py (bound at the same place)."""
    stand_in = tmp_path / "loader.py"
    stand_in.write_text(LOADER_VIEW.replace("SOLUTIONS", repr(str(SOLUTIONS))))
    stand_in.chmod(0o644)
    monkeypatch.setattr(artifacts, "LOADER", stand_in)
    contents, cost = artifacts.load(["unused"], LIMITS, sandboxed=True, used={})
    seen = contents[0]
    assert uids.is_sandbox_uid(seen["uid"]), seen
    assert seen["network"] != "REACHED" and seen["CapEff"] == "0000000000000000" and seen["Seccomp"] == "2", seen
    assert seen["oom_score_adj"] == "1000" and seen["address space"] == LIMITS.memory_bytes, seen
    assert seen["sees solutions"] is False, seen
    assert cost["wall_seconds"] > 0, cost


def test_the_loader_sets_its_own_limits_before_it_reads_anything():
    """The real loader, started with nothing on its stdin yet: its limits are already those it was given."""
    budget = artifacts._budget(LIMITS, {"cpu_seconds": 30, "wall_seconds": 40})
    assert budget == {"memory_bytes": LIMITS.memory_bytes, "cpu_seconds": 70, "wall_seconds": 60}
    process = subprocess.Popen([sys.executable, "-I", str(artifacts.LOADER), json.dumps(budget)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while "Max cpu time" not in (limits := _limits(process.pid)) or "70" not in limits["Max cpu time"]:
            assert time.monotonic() < deadline and process.poll() is None, limits
            time.sleep(0.05)
        assert limits["Max address space"].split()[0] == str(LIMITS.memory_bytes), limits
        assert limits["Max file size"].split()[0] == str(loader.FILE_BYTES), limits
    finally:
        process.kill()
        process.wait()


def _limits(pid: int) -> dict[str, str]:
    try:
        lines = open(f"/proc/{pid}/limits").read().splitlines()[1:]
    except OSError:
        return {}
    return {line[:26].strip(): line[26:] for line in lines}
