"""nbgrader's Execute step with a cap on how much output a graded notebook may produce.

A flood of output (a print in an endless loop) would otherwise pile up in the grader's memory and in the
autograded notebook. Past ``max_output_bytes`` further outputs (except errors) are dropped, and one
notice says so. The hidden reports the grader reads (the probe's, and the observations of
helpers.observations) are kept past that cap, within a budget of their own. It also notes when the
kernel was ready and when the set-up cell and the last cell were done (``STAMPS``), for the cost report.
"""

import json
import time

from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

from grader.safety.probe import MIME as PROBE_MIME
from grader.settings import DEFAULT_LIMITS
from helpers.observations import MIME as OBSERVATION_MIME

REPORT_BYTES = 64 * 2**20  # the probe's and the observations' reports of one notebook

STAMPS: dict[str, float] = {}  # of this process's last notebook: perf_counter() at "kernel starting", "kernel
# ready", "set-up done", "cells done" (a worker grades one notebook at a time)
NOTICE = "[grader] output limit reached: {limit} bytes; later output of this notebook was dropped\n"


class LimitedOutputExecute(Execute):
    max_output_bytes = Integer(DEFAULT_LIMITS.output_bytes, help="Output bytes kept per notebook.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._output_bytes, self._report_bytes, self._notice_given = 0, 0, False
        STAMPS.clear()
        return super().preprocess(nb, resources, km)

    def start_new_kernel(self, **kwargs):
        STAMPS["kernel starting"] = time.perf_counter()
        return super().start_new_kernel(**kwargs)

    def preprocess_cell(self, cell, resources, index):
        STAMPS.setdefault("kernel ready", time.perf_counter())
        result = super().preprocess_cell(cell, resources, index)
        if cell.cell_type == "code":
            STAMPS.setdefault("set-up done", time.perf_counter())
            STAMPS["cells done"] = time.perf_counter()
        return result

    def output(self, outs: list, msg: dict, display_id, cell_index: int) -> NotebookNode | None:
        # Errors are always kept: a test cell fails by its error, so dropping one would pass the test.
        # So are the hidden reports, which the grader reads afterwards (up to REPORT_BYTES).
        data = msg["content"].get("data", {})
        if PROBE_MIME in data or OBSERVATION_MIME in data:
            self._report_bytes += len(json.dumps(msg["content"], default=str))
            return super().output(outs, msg, display_id, cell_index) if self._report_bytes <= REPORT_BYTES else None
        if msg["msg_type"] in ("stream", "display_data", "execute_result", "update_display_data"):
            self._output_bytes += len(json.dumps(msg["content"], default=str))
            if self._output_bytes > self.max_output_bytes:
                if not self._notice_given:
                    self._notice_given = True
                    outs.append(NotebookNode(output_type="stream", name="stdout",
                                             text=NOTICE.format(limit=self.max_output_bytes)))
                return None
        return super().output(outs, msg, display_id, cell_index)
