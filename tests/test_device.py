"""helpers.device: torch.accelerator's choice (CUDA -> MPS -> CPU on old torch); $COURSE_DEVICE wins."""

import pytest
import torch

from helpers import device as device_module
from helpers.device import describe_device, get_device


@pytest.fixture
def machine(monkeypatch):
    """Pretend availability: call with cuda=..., mps=..., accelerator=..., api=... (torch.accelerator exists)."""
    monkeypatch.delenv("COURSE_DEVICE", raising=False)

    def pretend(cuda=False, mps=False, accelerator=None, api=True):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
        monkeypatch.setattr(device_module, "_accelerator_type", lambda: accelerator)
        monkeypatch.setattr(device_module, "_has_accelerator_api", lambda: api)

    return pretend


@pytest.mark.parametrize("accelerator, expected", [("cuda", "cuda"), ("mps", "mps"), ("xpu", "xpu"), (None, "cpu")])
def test_the_accelerator_torch_reports_is_used(machine, accelerator, expected):
    machine(cuda=False, mps=False, accelerator=accelerator)   # the chain would say cpu every time
    assert get_device() == torch.device(expected)


@pytest.mark.parametrize("cuda, mps, expected", [
    (True, True, "cuda"),
    (True, False, "cuda"),
    (False, True, "mps"),
    (False, False, "cpu"),
])
def test_torch_without_the_accelerator_api_falls_back_to_the_chain(machine, cuda, mps, expected):
    machine(cuda=cuda, mps=mps, accelerator="xpu", api=False)
    assert get_device() == torch.device(expected)


def test_this_torch_has_the_accelerator_api():
    assert device_module._has_accelerator_api()


def test_environment_variable_overrides_detection(machine, monkeypatch):
    machine(cuda=True)
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    assert "chosen by $COURSE_DEVICE" in describe_device()


def test_bad_override_is_a_clear_error(machine, monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "gpu-please")
    with pytest.raises(ValueError, match="not a device torch knows"):
        get_device()


def test_accelerator_probe_guards_is_available(monkeypatch):
    class NoAccelerator:
        @staticmethod
        def is_available():
            return False

        @staticmethod
        def current_accelerator():
            raise AssertionError("must not be asked when nothing is available")

    monkeypatch.setattr(torch, "accelerator", NoAccelerator, raising=False)
    assert device_module._accelerator_type() is None


def test_description_is_one_friendly_line(machine):
    machine()
    line = describe_device()
    assert line.startswith("Using cpu device (no GPU found;") and "\n" not in line


def test_description_of_a_cuda_device_names_the_gpu(machine, monkeypatch):
    machine(cuda=True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Test GPU 9000")
    assert describe_device(torch.device("cuda")) == "Using cuda device (NVIDIA GPU: Test GPU 9000)"
