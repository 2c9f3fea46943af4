"""Adversarial lesson-02 cases against the sandbox's edges: memory, processes, disk, namespaces, capabilities,
the artifacts loader."""

from tests.adversarial.cases import FULL, Case, answered, prefixed

WRONG_DESCRIBE = 'def describe(t):\n    return {"shape": (0,), "dtype": "nothing", "device": "nowhere"}\n'

# The kernel's runtime folder (its sockets, beside its connection file) filled past the disk quota: it is on
# the sandbox's tmpfs, so the quota stops it, and the connection file is root's and read-only.
RUNTIME_FILLER = '''import json, os, sys
_connection = sys.argv[sys.argv.index("-f") + 1]
_sockets = os.path.dirname(json.load(open(_connection))["ip"])
_chunk = b"x" * 2**24
try:
    with open(_connection, "ab") as _stream:
        _stream.write(_chunk)
    print("GREW THE CONNECTION FILE")
except OSError as _error:
    print("connection file refused:", type(_error).__name__)
for _folder in (_sockets, os.path.dirname(_connection)):
    for _number in range(400):
        try:
            with open(f"{_folder}/filler-{_number}.bin", "wb") as _stream:
                _stream.write(_chunk)
        except OSError as _error:
            print("runtime folder refused:", _folder, type(_error).__name__, flush=True)
            break
'''
# Each child stays under the per-process address-space limit; together they hold more than the sandbox may.
FORK_THEN_ALLOCATE = '''import os, time
_children = []
for _ in range(20):
    try:
        _pid = os.fork()
    except OSError:
        break
    if _pid == 0:
        try:
            _block = bytearray(320 * 2**20)
        except MemoryError:
            pass
        time.sleep(30)
        os._exit(0)
    _children.append(_pid)
for _pid in _children:
    os.waitpid(_pid, 0)
'''
ESCAPE_ATTEMPTS = '''import subprocess
_nested = subprocess.run(["unshare", "-Ur", "id"], capture_output=True, text=True)
_mounted = subprocess.run(["mount", "-t", "tmpfs", "none", "/sandbox/work"], capture_output=True, text=True)
print("escape attempts:", "NESTED USER NAMESPACE" if "uid=0" in _nested.stdout else "unshare refused", "/",
      "MOUNTED" if _mounted.returncode == 0 else "mount refused")
print([line for line in open("/proc/self/status").read().splitlines() if line.startswith(("CapEff", "Seccomp:"))])
'''
# Observation reports carrying crafted "files" (a zip bomb, a tensor claiming terabytes), displayed from the
# answer a test calls, so that they sit in the test cell's outputs beside the hidden block's own reports.
FORGED_CHECKPOINTS = '''import base64, io, zipfile
from IPython.display import display as _show
def _crafted():
    _bomb = io.BytesIO()
    with zipfile.ZipFile(_bomb, "w", zipfile.ZIP_DEFLATED) as _archive:
        _archive.writestr("archive/data.pkl", b"\\x80\\x02}q\\x00.")
        _archive.writestr("archive/data/0", b"\\0" * 2**26)
    _huge = io.BytesIO()
    torch.save({"weight": torch.zeros(1).expand(10**6, 10**6)}, _huge)
    return {"zip bomb": _bomb.getvalue(), "terabytes": _huge.getvalue()}
_CRAFTED = {name: base64.b64encode(data).decode() for name, data in _crafted().items()}
def describe(t):
    for _name, _data in _CRAFTED.items():
        _show({"application/vnd.grader.observation+json": {"name": _name, "value": {"file": _data},
                                                           "rtol": 1e-4, "atol": 1e-6}}, raw=True)
    return {"shape": (0,), "dtype": "nothing", "device": "nowhere"}
'''


def cases() -> list[Case]:
    return [
        Case("runtime_folder_filler", lambda ctx: prefixed(ctx, "describe", RUNTIME_FILLER), 0, "MiB of disk"),
        Case("fork_then_allocate", lambda ctx: prefixed(ctx, "describe", FORK_THEN_ALLOCATE), 0,
             "GiB of memory (its processes and its /tmp together)", {"risky call"}),
        # On top of a wrong answer: an escape that worked would show no more points, but says so in the outputs.
        Case("escape_attempts", lambda ctx: answered(ctx, describe=ESCAPE_ATTEMPTS + WRONG_DESCRIBE), FULL - 1,
             "escape attempts: unshare refused / mount refused", {"risky import"}),
        # Forged file reports add nothing: no hidden block of lesson 02 asks for a file, so none is loaded; the
        # reports, shown outside any observation block, are named as forged.
        Case("forged_checkpoints", lambda ctx: answered(ctx, describe=FORGED_CHECKPOINTS), FULL - 1,
             "outside the test's observation block", {"forged report"}, tampered=True),
    ]
