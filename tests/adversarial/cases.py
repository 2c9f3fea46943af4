"""Adversarial submissions of lesson 02, each with the outcome grading must give it.

Each case builds a submission from the released lesson and the correct answers, then breaks it in one
way. ``score`` is the expected total (lesson 02 is worth 8 points: describe 1, zero_column_and_tile 2,
gram_and_hadamard 2, standardize_columns 2, numpy_view 1; its knowledge checks carry none); ``says`` is
text the grading error, the integrity report or the graded notebook's outputs must contain; ``flags``
are integrity kinds that must be reported; ``tampered`` whether it must be flagged for tampering (it then
keeps only the points its code earned on the grader's inputs, compared outside its kernel).
"""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from grader.notebooks import nbgrader_meta, substitute

LESSON = "02_tensors"
FULL = 8.0


@dataclass
class Context:
    lesson: NotebookNode  # the released lesson
    answers: dict[str, str]  # the correct answer of every answer cell
    secrets: dict[str, Path]  # files no submission may read or write


@dataclass
class Case:
    name: str
    build: Callable[[Context], bytes | NotebookNode]
    score: float
    says: str = ""
    flags: set[str] = field(default_factory=set)
    tampered: bool = False


def answered(ctx: Context, **changes: str) -> NotebookNode:
    """The lesson with correct answers, some replaced (None keeps the correct one)."""
    return substitute(ctx.lesson, {**ctx.answers, **changes})


def prefixed(ctx: Context, grade_id: str, code: str) -> NotebookNode:
    """Correct answers, with ``code`` run at the top of one answer cell."""
    return answered(ctx, **{grade_id: code + "\n" + ctx.answers[grade_id]})


def cell_index(notebook: NotebookNode, grade_id: str) -> int:
    return next(i for i, cell in enumerate(notebook.cells) if nbgrader_meta(cell).get("grade_id") == grade_id)


def edited(ctx: Context, change: Callable[[NotebookNode], None], base: NotebookNode | None = None) -> NotebookNode:
    notebook = copy.deepcopy(base if base is not None else answered(ctx))
    change(notebook)
    return notebook


def _delete(grade_id):
    return lambda nb: nb.cells.pop(cell_index(nb, grade_id))


def _duplicate(grade_id):
    def change(nb):
        i = cell_index(nb, grade_id)
        twin = copy.deepcopy(nb.cells[i])
        twin["id"] = twin["id"] + "-copy"
        nb.cells.insert(i + 1, twin)
    return change


def _swap(first, second):
    def change(nb):
        i, j = cell_index(nb, first), cell_index(nb, second)
        nb.cells[i], nb.cells[j] = nb.cells[j], nb.cells[i]
    return change


def _rename(grade_id, new_id):
    return lambda nb: nb.cells[cell_index(nb, grade_id)].metadata.nbgrader.update(grade_id=new_id)


def _same_ids(nb):
    for cell in nb.cells[1:4]:
        cell["id"] = nb.cells[0]["id"]


def _to_markdown(grade_id):
    def change(nb):
        i = cell_index(nb, grade_id)
        cell = nb.cells[i]
        nb.cells[i] = nbformat.v4.new_markdown_cell(cell.source, id=cell["id"], metadata=cell.metadata)
    return change


def _replace_source(grade_id, source):
    def change(nb):
        nb.cells[cell_index(nb, grade_id)].source = source
    return change


def _nbformat_invalid(ctx):
    notebook = json.loads(nbformat.writes(answered(ctx)))
    notebook["cells"][3]["cell_type"] = "spreadsheet"
    del notebook["cells"][4]["source"]
    return json.dumps(notebook).encode()


def _nbformat_3(ctx):
    """An old-format notebook (nbformat 3, cells in worksheets), with none of the lesson's cells."""
    v3 = nbformat.v3
    cells = [v3.new_code_cell(input=cell.source) for cell in ctx.lesson.cells if cell.cell_type == "code"][:3]
    return nbformat.writes(v3.new_notebook(worksheets=[v3.new_worksheet(cells=cells)]), version=3).encode()


def _another_lesson(ctx):
    """A valid notebook that is not this lesson's: its cells carry no nbgrader metadata of the lesson."""
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# My project"),
                                           nbformat.v4.new_code_cell("import torch\nprint(torch.ones(2))")])


WRONG_DESCRIBE = 'def describe(t):\n    return {"shape": (0,), "dtype": "nothing", "device": "nowhere"}\n'
ALWAYS_EQUAL = '''class Anything:
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__
'''
READ_SECRETS = '''for _path in {paths!r}:
    try:
        with open(_path) as _stream:
            print("READ", _path, _stream.read(200))
    except OSError as _error:
        print("blocked:", type(_error).__name__, _path)
'''
WRITE_SECRETS = '''for _path in {paths!r}:
    try:
        with open(_path, "w") as _stream:
            _stream.write("hacked")
        print("WROTE", _path)
    except OSError as _error:
        print("blocked:", type(_error).__name__, _path)
'''
SILENCE_PROBE = '''import builtins
_real_import = builtins.__import__
class _Quiet:
    @staticmethod
    def verify(namespace):
        pass
def _import(name, *args, **kwargs):
    return _Quiet if name == "grader_probe" else _real_import(name, *args, **kwargs)
builtins.__import__ = _import
'''


WRONG_STANDARDIZE = "def standardize_columns(x):\n    return (x - x.mean(dim=0)) / x.std()\n"
FORGE_CHECKS = '''import sys
from IPython.display import display as _show
# the probe, found by what it holds; its check replaced by one that always reports a clean kernel
_probe = next(m for m in list(sys.modules.values()) if hasattr(m, "verify") and hasattr(m, "problems_in"))
vars(_probe)["verify"] = lambda namespace: _show({_probe.MIME: {"problems": []}}, raw=True)
for _name in ("assert_type", "assert_equal", "assert_shape", "assert_dtype", "assert_close", "check"):
    globals()[_name] = lambda *args, **kwargs: None   # every check the tests call passes
'''

KILL_PARENT = '''import os, signal
for _pid in sorted({os.getppid(), 1, *(int(p) for p in os.listdir("/proc") if p.isdigit())} - {0, os.getpid()}):
    try:
        os.kill(_pid, signal.SIGKILL)
        print("KILLED", _pid)
    except OSError as _error:
        print("blocked:", _pid, type(_error).__name__)
'''
DISK_FILLER = '''_chunk = b"x" * 2**24
for _number in range(100):
    for _folder in (".", "/tmp"):
        with open(f"{_folder}/filler-{_number}.bin", "wb") as _stream:
            for _ in range(12):
                _stream.write(_chunk)
'''
HIDE_ERRORS = "get_ipython().set_custom_exc((Exception,), lambda shell, kind, value, tb, tb_offset=None: None)\n"
PATCHING_THREAD = '''import threading, time
def _keep_patched():
    while True:
        torch.allclose = lambda *args, **kwargs: True
        time.sleep(0.01)
threading.Thread(target=_keep_patched, daemon=True).start()
time.sleep(0.1)
'''


def cases() -> list[Case]:
    """Every lesson-02 case: these, then those of the sibling modules, each attacking one part of the grader."""
    from tests.adversarial import boundary, sandbox_bounds, verdicts

    return base_cases() + boundary.cases() + sandbox_bounds.cases() + verdicts.cases()


def base_cases() -> list[Case]:
    return [
        Case("correct", answered, FULL),
        Case("malformed_json", lambda ctx: b'{"cells": [ {"cell_type": "code", ', 0, "not a notebook"),
        Case("nbformat_invalid", _nbformat_invalid, 0, "invalid notebook"),
        Case("nbformat_3", _nbformat_3, 0, "unsupported notebook format: nbformat 3"),
        Case("another_notebook", _another_lesson, 0, "not this lesson's notebook"),
        Case("hard_coded", lambda ctx: answered(ctx, describe='def describe(t):\n    return {"shape": (2, 3), '
                                                              '"dtype": "torch.float32", "device": "cpu"}\n'),
             FULL - 1),
        Case("deleted_test_cell", lambda ctx: edited(ctx, _delete("describe_test")), FULL, "put back and run",
             {"cell deleted"}),
        Case("deleted_answer_cell", lambda ctx: edited(ctx, _delete("describe")), FULL - 1, "NameError",
             {"cell deleted"}),
        Case("duplicated_cell", lambda ctx: edited(ctx, _duplicate("zero_column_and_tile_test")), FULL,
             "more than once", {"duplicated cell"}),
        Case("reordered_cells", lambda ctx: edited(ctx, _swap("describe", "describe_test")), FULL - 1,
             "different order", {"cells reordered"}),
        Case("renamed_cell", lambda ctx: edited(ctx, _rename("describe_test", "my_own_test")), FULL,
             "renamed", {"unknown cell", "cell deleted"}),
        Case("duplicate_cell_ids", lambda ctx: edited(ctx, _same_ids), FULL),
        Case("test_cell_made_markdown", lambda ctx: edited(ctx, _to_markdown("describe_test")), FULL,
             "markdown", {"cell type changed"}),
        Case("answer_cell_made_markdown", lambda ctx: edited(ctx, _to_markdown("describe")), FULL,
             "graded as code", {"cell type changed"}),
        Case("edited_test_cell", lambda ctx: edited(ctx, _replace_source("describe_test", "print('all good')\n"),
                                                    answered(ctx, describe=WRONG_DESCRIBE)),
             FULL - 1, "was edited", {"locked cell edited"}),
        Case("infinite_loop", lambda ctx: answered(ctx, describe="def describe(t):\n    while True:\n"
                                                                 "        pass\n"), FULL - 1, "KeyboardInterrupt"),
        Case("memory_bomb", lambda ctx: prefixed(ctx, "describe", "_hoard = []\nwhile True:\n"
                                                 "    _hoard.append(bytearray(2**28))\n"), FULL - 1, "MemoryError"),
        Case("fork_bomb", lambda ctx: prefixed(ctx, "describe", "import os\nwhile True:\n    try:\n"
                                               "        os.fork()\n    except OSError:\n        pass\n"),
             0, "processes and threads at once (a fork bomb?)", {"risky call"}),
        Case("hung_by_patching", lambda ctx: prefixed(ctx, "describe", "import builtins\ndef _stuck(*args):\n"
                                                      "    while True:\n        pass\nbuiltins.isinstance = _stuck\n"
                                                      "isinstance(1, int)"),
             0, "stopped answering", {"patches a library"}),
        Case("os_exit", lambda ctx: prefixed(ctx, "describe", "import os\nos._exit(3)"), 0,
             "exited with code 3", {"risky call"}),
        Case("sys_exit", lambda ctx: prefixed(ctx, "describe", "import sys\nsys.exit(1)"), FULL - 1, "SystemExit"),
        Case("kernel_crash", lambda ctx: prefixed(ctx, "describe", "import ctypes\nctypes.string_at(0)"), 0,
             "SIGSEGV", {"risky import"}),
        Case("disk_filler", lambda ctx: prefixed(ctx, "describe", DISK_FILLER), 0, "MiB of disk"),
        Case("output_flood", lambda ctx: prefixed(ctx, "describe", "while True:\n    print('spam ' * 10000)"),
             FULL - 1, "output limit reached"),
        Case("stderr_warnings", lambda ctx: prefixed(ctx, "describe", "import sys, warnings\n"
                                                     "warnings.warn('careful', UserWarning)\n"
                                                     "print('noise on stderr', file=sys.stderr)"), FULL),
        Case("slow_notebook", lambda ctx: answered(ctx, **{gid: "import time\ntime.sleep(16)\n" + ctx.answers[gid]
                                                           for gid in ("describe", "zero_column_and_tile",
                                                                       "gram_and_hadamard", "standardize_columns")}),
             0, "time limit"),
        Case("network_attempt", lambda ctx: prefixed(ctx, "describe", "import urllib.request\ntry:\n"
                                                     "    urllib.request.urlopen('http://1.1.1.1', timeout=5)\n"
                                                     "    print('NETWORK REACHED')\nexcept OSError as error:\n"
                                                     "    print('network blocked:', error)"), FULL,
             "network blocked", {"risky import"}),
        Case("kills_its_parent", lambda ctx: prefixed(ctx, "describe", KILL_PARENT), FULL, "blocked:"),
        Case("sandbox_view", lambda ctx: prefixed(ctx, "describe", "print('PID 1:', open('/proc/1/cmdline').read()"
                                                  ".replace(chr(0), ' '))"), FULL, "PID 1:"),
        Case("read_secrets", lambda ctx: prefixed(ctx, "describe", READ_SECRETS.format(
            paths=[str(path) for path in ctx.secrets.values()])), FULL, "blocked:", {"reaches for grader files"}),
        Case("write_secrets", lambda ctx: prefixed(ctx, "describe", WRITE_SECRETS.format(
            paths=[str(path) for path in ctx.secrets.values()])), FULL, "blocked:", {"reaches for grader files"}),
        # describe's check refuses the object; zero_column_and_tile (2) passes before the always-equal quiz
        # answer exists; from then on the probe fails every test in the kernel, and those earn nothing.
        Case("always_equal", lambda ctx: answered(ctx, describe=ALWAYS_EQUAL + "def describe(t):\n"
                                                  "    return Anything()\n", quiz_stack_shape=ALWAYS_EQUAL
                                                  + "answer_stack_shape = Anything()\n"),
             2, "claims to equal anything", {"tampering", "redefines equality"}, tampered=True),
        Case("patched_allclose", lambda ctx: answered(ctx, describe="torch.allclose = lambda *a, **k: True\n"
                                                      "torch.Tensor.__eq__ = lambda self, other: True\n"
                                                      + WRONG_DESCRIBE),
             0, "torch.allclose was replaced", {"tampering", "patches a library"}, tampered=True),
        Case("patched_assert_close", lambda ctx: answered(ctx, describe="import helpers.checks\n"
                                                          "torch.testing.assert_close = lambda *a, **k: None\n"
                                                          "helpers.checks.assert_close = lambda *a, **k: None\n"
                                                          "assert_close = lambda *a, **k: None\n" + WRONG_DESCRIBE),
             0, "assert_close", {"tampering", "patches a library"}, tampered=True),
        Case("silenced_probe", lambda ctx: prefixed(ctx, "describe", SILENCE_PROBE), FULL, "never reported",
             {"probe silenced"}, tampered=True),
        # Two wrong answers (describe, 1 point; standardize_columns, 2) score FULL - 3 honestly ...
        Case("two_wrong_answers", lambda ctx: answered(ctx, describe=WRONG_DESCRIBE,
                                                       standardize_columns=WRONG_STANDARDIZE), FULL - 3),
        # ... and the same with the in-kernel probe and checks forged: every test passes in the kernel, but
        # the grader's comparison with the reference run rejects the two wrong ones, and calls it tampering.
        Case("forged_checks_on_wrong_answers", lambda ctx: answered(ctx, describe=FORGE_CHECKS + WRONG_DESCRIBE,
                                                                    standardize_columns=WRONG_STANDARDIZE),
             FULL - 3, "results differ from the reference", {"results disagree", "reflective write"}, tampered=True),
        # Forging that gains nothing is still named: every answer blank, every test fails.
        Case("forged_checks_on_blank_answers", lambda ctx: answered(ctx, describe=FORGE_CHECKS, **{
            gid: "# not done yet\n" for gid in ("zero_column_and_tile", "gram_and_hadamard", "standardize_columns",
                                                  "numpy_view")}),
             0, "only tampering needs", {"reflective write"}, tampered=True),
        # An attempt to hide a failing test's error from nbgrader (ipykernel still records the error; were it
        # hidden, the test's missing observations would fail it outside the kernel): named as tampering.
        Case("hidden_errors", lambda ctx: answered(ctx, describe=HIDE_ERRORS + WRONG_DESCRIBE), FULL - 1,
             "hides failing tests", {"replaces error display"}, tampered=True),
        Case("replaced_showtraceback", lambda ctx: answered(ctx, describe="get_ipython().showtraceback = "
                                                            "lambda *args, **kwargs: None\n" + WRONG_DESCRIBE),
             FULL - 1, "hides failing tests", {"replaces error display"}, tampered=True),
        # A thread that keeps torch.allclose patched: the probe before and after each test sees it.
        Case("patching_thread", lambda ctx: prefixed(ctx, "describe", PATCHING_THREAD), 0,
             "torch.allclose was replaced", {"tampering"}, tampered=True),
    ]
