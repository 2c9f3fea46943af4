"""nbgrader's Execute step with a cap on how much output a graded notebook may produce.

A flood of output (a print in an endless loop) would otherwise pile up in the grader's memory and in the
autograded notebook. Past ``max_output_bytes`` further outputs (except errors) are dropped, and one
notice says so.
"""

import json

from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

from grader.safety.probe import MIME as PROBE_MIME
from grader.settings import DEFAULT_LIMITS

NOTICE = "[grader] output limit reached: {limit} bytes; later output of this notebook was dropped\n"


class LimitedOutputExecute(Execute):
    max_output_bytes = Integer(DEFAULT_LIMITS.output_bytes, help="Output bytes kept per notebook.").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._output_bytes, self._notice_given = 0, False
        return super().preprocess(nb, resources, km)

    def output(self, outs: list, msg: dict, display_id, cell_index: int) -> NotebookNode | None:
        # Errors are always kept: a test cell fails by its error, so dropping one would pass the test.
        # So are the integrity probe's reports, which the grader reads afterwards.
        kept_anyway = PROBE_MIME in msg["content"].get("data", {})
        if not kept_anyway and msg["msg_type"] in ("stream", "display_data", "execute_result", "update_display_data"):
            self._output_bytes += len(json.dumps(msg["content"], default=str))
            if self._output_bytes > self.max_output_bytes:
                if not self._notice_given:
                    self._notice_given = True
                    outs.append(NotebookNode(output_type="stream", name="stdout",
                                             text=NOTICE.format(limit=self.max_output_bytes)))
                return None
        return super().output(outs, msg, display_id, cell_index)
