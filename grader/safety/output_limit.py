"""nbgrader's Execute step with a cap on how much output a graded notebook may produce.

A flood of output (a print in an endless loop) would otherwise pile up in the grader's memory and in the
autograded notebook. Every output counts towards ``max_output_bytes``; past it, further outputs are
dropped, and one notice says so. Errors are always kept (a test cell fails by its error), but cut like
streams: an error's message and traceback are kept up to ``ERROR_TEXT_BYTES`` (``SMALL_ERROR_BYTES`` once
the cap is reached), with a notice of what was cut. The hidden reports the grader reads (the probe's, and
the observations of helpers.observations) are kept past that cap, within a budget of their own; an
observation report over its size bound is replaced by a stand-in the grader refuses, and a message the
grader cannot parse is dropped with a notice. It also notes when
the kernel was ready and when the set-up cell and the last cell were done (``STAMPS``), for the cost report.
"""

import json
import time

from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

from grader.safety.probe import MIME as PROBE_MIME
from grader.settings import DEFAULT_LIMITS
from helpers.observations import MAX_REPORT_BYTES
from helpers.observations import MIME as OBSERVATION_MIME

REPORT_BYTES = 64 * 2**20  # the probe's and the observations' reports of one notebook
ERROR_TEXT_BYTES = 64 * 2**10  # of one error's message, and as much of its traceback
SMALL_ERROR_BYTES = 2**10  # the same, once the notebook's output cap is reached
ENVELOPE_BYTES = 2**16  # a report's message around the report itself

STAMPS: dict[str, float] = {}  # of this process's last notebook: perf_counter() at "kernel starting", "kernel
# ready", "set-up done", "cells done" (a worker grades one notebook at a time)
NOTICE = "[grader] output limit reached: {limit} bytes; later output of this notebook was dropped\n"
CUT = "\n[grader] {dropped} more characters of this error were dropped (output limit)"
UNREADABLE = ("[grader] a message from the kernel could not be read and was dropped ({error}); "
              "what this cell showed after it may be incomplete\n")


def _cut_text(text: str, keep: int) -> tuple[str, int]:
    """The first ``keep`` characters of ``text``, and how many were dropped."""
    return (text, 0) if len(text) <= keep else (text[:keep], len(text) - keep)


def cut_error(content: dict, keep: int) -> dict:
    """An error message's content with its evalue and traceback cut to about ``keep`` characters each (the
    traceback keeps its last lines, which say where it failed), and a notice of what was dropped."""
    evalue, dropped = _cut_text(str(content.get("evalue", "")), keep)
    if dropped:
        evalue += CUT.format(dropped=dropped)
    lines = [str(line) for line in content.get("traceback", []) if isinstance(line, str)]
    kept, size = [], 0
    for line in reversed(lines):
        if size + len(line) > keep:
            break
        kept.insert(0, line)
        size += len(line)
    skipped = sum(map(len, lines[:len(lines) - len(kept)]))
    if len(kept) < len(lines):
        first = lines[len(lines) - len(kept) - 1]
        if not kept:  # one line longer than all that is kept: its end
            kept, skipped = [first[-keep:]], skipped - min(keep, len(first))
        kept.insert(0, CUT.format(dropped=skipped).strip())
    return {**content, "ename": str(content.get("ename", ""))[:200], "evalue": evalue, "traceback": kept}


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
        # Errors are always kept, cut: a test cell fails by its error, so dropping one would pass the test.
        # The hidden reports are kept past the cap, which the grader reads afterwards (up to REPORT_BYTES).
        content = msg["content"]
        data = content.get("data", {}) if isinstance(content.get("data"), dict) else {}
        if PROBE_MIME in data or OBSERVATION_MIME in data:
            size = _size(content)
            self._report_bytes += size
            if self._report_bytes > REPORT_BYTES:
                return None
            if OBSERVATION_MIME in data and size > MAX_REPORT_BYTES + ENVELOPE_BYTES:
                content["data"] = {OBSERVATION_MIME: {"oversized": size}}  # refused by the grader, and named
            return super().output(outs, msg, display_id, cell_index)
        if msg["msg_type"] == "error":
            under_cap = self._output_bytes <= self.max_output_bytes
            msg["content"] = cut_error(content, ERROR_TEXT_BYTES if under_cap else SMALL_ERROR_BYTES)
            self._output_bytes += _size(msg["content"])
        elif msg["msg_type"] in ("stream", "display_data", "execute_result", "update_display_data"):
            self._output_bytes += _size(content)
            if self._output_bytes > self.max_output_bytes:
                if not self._notice_given:
                    self._notice_given = True
                    outs.append(NotebookNode(output_type="stream", name="stdout",
                                             text=NOTICE.format(limit=self.max_output_bytes)))
                return None
        return super().output(outs, msg, display_id, cell_index)

    async def _async_poll_output_msg(self, parent_msg_id: str, cell: NotebookNode, cell_index: int) -> None:
        # nbclient's loop (0.11), except that a message the grader cannot parse (Python refuses an integer of
        # more than 4300 digits, which a kernel can send once it lifts its own limit) is dropped, with one
        # notice in the cell, instead of ending the notebook's grading with a misleading reason.
        noticed = False
        while True:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            except ValueError as error:
                if not noticed:
                    noticed = True
                    cell.outputs.append(NotebookNode(output_type="stream", name="stdout",  # nbgrader fails a
                                                     text=UNREADABLE.format(error=str(error)[:120])))  # stderr
                continue
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    return

    def _update_display_id(self, display_id: str, msg: dict) -> None:
        # An update rewrites every earlier output shown with its display id: it counts once per output it
        # rewrites. Hidden reports are never shown with a display id, so none is written by an update.
        data = msg["content"].get("data")
        if not isinstance(data, dict) or PROBE_MIME in data or OBSERVATION_MIME in data:
            return
        rewritten = sum(len(indices) for indices in self._display_id_map.get(display_id, {}).values())
        self._output_bytes += _size(msg["content"]) * rewritten
        if self._output_bytes <= self.max_output_bytes:
            super()._update_display_id(display_id, msg)


def _size(content: dict) -> int:
    """About how many bytes a message's content takes as JSON (never raises)."""
    try:
        return len(json.dumps(content, default=str))
    except (ValueError, RecursionError):  # an integer too long to print, or nesting too deep: refuse it
        return 2**62
