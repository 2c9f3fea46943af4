"""Device detection: the one place that knows how to pick an accelerator (``torch.accelerator``).

Introduced in lessons/01_quickstart.ipynb.
"""

import os

import torch

DEVICE_ENV_VAR = "COURSE_DEVICE"


def _accelerator_type() -> str | None:
    """The available accelerator's type via ``torch.accelerator`` (torch 2.6+), else None."""
    accelerator = getattr(torch, "accelerator", None)
    if accelerator is None or not accelerator.is_available():
        return None
    current = accelerator.current_accelerator()
    return current.type if current is not None else None


def _has_accelerator_api() -> bool:
    """Whether this torch has ``torch.accelerator`` (added in 2.6)."""
    return hasattr(torch, "accelerator")


def _device_by_chain() -> str:
    """What ``torch.accelerator`` does, spelled out for older torch: CUDA, then MPS, then CPU."""
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def get_device() -> torch.device:
    """Return the device to use: $COURSE_DEVICE if set, else the accelerator torch reports, else CPU.

    ``torch.accelerator`` knows every backend torch was built with (CUDA, ROCm, MPS, XPU, ...);
    on torch older than 2.6 the explicit CUDA -> MPS -> CPU chain stands in for it.
    """
    override = os.environ.get(DEVICE_ENV_VAR, "").strip()
    if override:
        try:
            return torch.device(override)
        except RuntimeError as error:
            raise ValueError(
                f"{DEVICE_ENV_VAR}={override!r} is not a device torch knows. "
                "Use 'cpu', 'cuda', 'cuda:1' or 'mps', or unset the variable."
            ) from error
    if _has_accelerator_api():
        return torch.device(_accelerator_type() or "cpu")
    return torch.device(_device_by_chain())


def describe_device(device: torch.device | None = None) -> str:
    """One friendly line saying which device the lesson uses and why."""
    device = device if device is not None else get_device()
    if os.environ.get(DEVICE_ENV_VAR, "").strip():
        reason = f"chosen by ${DEVICE_ENV_VAR}"
    elif device.type == "cuda":
        reason = f"NVIDIA GPU: {torch.cuda.get_device_name(device)}"
    elif device.type == "mps":
        reason = "Apple GPU through Metal (MPS)"
    elif device.type == "cpu":
        reason = f"no GPU found; {torch.get_num_threads()} CPU threads"
    else:
        reason = "accelerator reported by torch.accelerator"
    return f"Using {device.type} device ({reason})"
