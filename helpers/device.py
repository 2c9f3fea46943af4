"""Device detection: the one place that knows how to pick an accelerator.

Introduced in lessons/01_quickstart.ipynb.
"""

import os

import torch

DEVICE_ENV_VAR = "COURSE_DEVICE"


def _accelerator_type() -> str | None:
    """The current accelerator's type via ``torch.accelerator``, or None when absent or unavailable."""
    accelerator = getattr(torch, "accelerator", None)
    if accelerator is None or not accelerator.is_available():
        return None
    current = accelerator.current_accelerator()
    return current.type if current is not None else None


def get_device() -> torch.device:
    """Return the best available device: $COURSE_DEVICE if set, else CUDA, then MPS, then CPU."""
    override = os.environ.get(DEVICE_ENV_VAR, "").strip()
    if override:
        try:
            return torch.device(override)
        except RuntimeError as error:
            raise ValueError(
                f"{DEVICE_ENV_VAR}={override!r} is not a device torch knows. "
                "Use 'cpu', 'cuda', 'cuda:1' or 'mps', or unset the variable."
            ) from error
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    accelerator = _accelerator_type()
    if accelerator is not None:
        return torch.device(accelerator)
    return torch.device("cpu")


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
