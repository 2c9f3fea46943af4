"""Reproducible runs. Introduced in lessons/01_quickstart.ipynb."""

import random

import numpy as np
import torch


def set_seed(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and torch; return a torch Generator (seeded too) for DataLoader shuffles."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)
