"""pytest plugin for the nbval runs: wait up to 60 s (not nbval's fixed 5 s) for a cell's last messages.

On a busy 2-core machine a kernel can take more than 5 s to publish its final messages after a long
cell; nbval then fails the cell although its outputs would match.
"""

import nbval.plugin

_original_init = nbval.plugin.IPyNbCell.__init__


def _patient_init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    self.output_timeout = 60


nbval.plugin.IPyNbCell.__init__ = _patient_init
