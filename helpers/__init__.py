"""Small helpers for the PyTorch basics course, one module per concern.

- ``device``: pick CUDA, MPS or CPU and say which in one line.
- ``data``: the real FashionMNIST through torchvision, seeded offline from a local mirror (``data_folder``: where).
- ``plots``: image grids and training curves drawn on a given Axes.
- ``seed``: one call for reproducible runs.
- ``checks``: assertions whose messages say what was expected, what was found, and a nudge.
- ``quiz``: multiple-choice knowledge checks shown as plain HTML (no kernel needed to answer them); no points.
- ``mode``: learner mode versus grading mode (``NBGRADER_EXECUTION``).
- ``progress``: text progress bars that clear themselves and stay silent while grading.
- ``tensor_plots``: annotated heat-maps of small tensors (lesson 02).
- ``model_view``: the shape of a batch after each layer, and parameter counts (lesson 05).
- ``graph_view``: the autograd graph of an expression, drawn from its ``grad_fn`` chain (lesson 06).
- ``training``: a figure redrawn in place each epoch, a plot comparing runs, the dataset-to-tensors speed trick
  (lesson 07).

Nothing runs at import time: import the module you need, e.g. ``from helpers.device import get_device``.
"""

__version__ = "0.1.0"
