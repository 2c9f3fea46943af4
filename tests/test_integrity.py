"""The integrity audit's parts that run without a kernel: the code audit and the probe's wrapper rule."""

import functools

import nbformat
import torch

from grader.safety import probe as kernel_probe
from grader.safety.integrity import code_findings

LESSON_DEMO = "from unittest import mock\nwith mock.patch.object(torch, 'load'):\n    pass\n"


def audit(code: str) -> set[str]:
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LESSON_DEMO)])
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LESSON_DEMO), nbformat.v4.new_code_cell(code)])
    return {finding.message for finding in code_findings(notebook, release)}


def test_ordinary_pytorch_is_not_suspicious():
    assert audit("model.eval()\npattern = re.compile('x')\nmodel.train()\nresult = torch.allclose(a, b)") == set()


def test_the_lessons_own_demonstrations_are_not_the_students_code():
    assert audit("x = 1") == set()
    assert audit(LESSON_DEMO.replace("'load'", "'save'")) == {"imports unittest, which patches objects (unittest.mock)",
                                                              "mock.patch.object() replaces objects while running"}


def test_the_real_tricks_are_named():
    found = audit("eval('1 + 1')\nimport os\nos._exit(3)\ntorch.allclose = lambda *a, **k: True\n"
                  "class Anything:\n    def __eq__(self, other):\n        return True\n")
    assert found == {"eval(): runs code built at run time", "os._exit(): ends the process (os._exit)",
                     "assigns torch.allclose", "defines __eq__, which the tests rely on"}


def test_torch_wrapping_its_own_function_is_not_tampering(monkeypatch):
    monkeypatch.setitem(kernel_probe._TOOLS, "torch_dir", torch.__file__.rsplit("/", 1)[0] + "/")
    original = torch.manual_seed
    assert kernel_probe._library_wrapper(torch._disable_dynamo(original), original)
    disguised = functools.wraps(original)(lambda *args, **kwargs: None)
    assert not kernel_probe._library_wrapper(disguised, original), "a student's wrapper is not torch's"
