"""The output cap of a graded notebook (grader/safety/output_limit.py) holds for every output type: streams and
displays past it are dropped, errors are kept but cut, an oversized observation report becomes a stand-in the
grader refuses, and an update of a shown display cannot rewrite past the cap."""

import json

import pytest
from nbformat import v4

from grader.grading.differential import observations, refused
from grader.safety.output_limit import CUT, ERROR_TEXT_BYTES, NOTICE, SMALL_ERROR_BYTES, LimitedOutputExecute
from helpers.observations import MAX_REPORT_BYTES, MIME

CAP = 2**20


@pytest.fixture
def execute():
    """The preprocessor as nbclient leaves it between messages of a notebook's first cell."""
    step = LimitedOutputExecute(max_output_bytes=CAP)
    step._output_bytes, step._report_bytes, step._notice_given = 0, 0, False
    step.clear_before_next_output, step._display_id_map = False, {}
    return step


def _message(msg_type: str, content: dict) -> dict:
    return {"msg_type": msg_type, "header": {"msg_type": msg_type}, "parent_header": {"msg_id": "cell"},
            "content": content}


def _error(evalue: str, traceback: list[str]) -> dict:
    return _message("error", {"ename": "ValueError", "evalue": evalue, "traceback": traceback})


def test_a_40_mb_exception_is_kept_as_an_error_and_cut_below_the_cap(execute):
    outs = []
    execute.output(outs, _error("wrong " + "x" * 40_000_000, ["Traceback header", "y" * 40_000_000,
                                                               "ValueError: wrong"]), None, 0)
    (error,) = outs
    assert error.output_type == "error" and error.ename == "ValueError"
    assert error.evalue.startswith("wrong xxx") and CUT.format(dropped=40_000_006 - ERROR_TEXT_BYTES) in error.evalue
    assert error.traceback[-1] == "ValueError: wrong", "the traceback keeps its last line, which says what failed"
    assert "more characters of this error were dropped" in error.traceback[0]
    assert len(json.dumps(outs)) < CAP


def test_past_the_cap_errors_are_still_kept_but_small_and_streams_and_displays_are_dropped(execute):
    outs = []
    execute.output(outs, _message("stream", {"name": "stdout", "text": "s" * (CAP + 1)}), None, 0)
    execute.output(outs, _message("display_data", {"data": {"text/plain": "d" * 100}, "metadata": {}}), None, 0)
    execute.output(outs, _message("execute_result", {"data": {"text/html": "h"}, "metadata": {},
                                                     "execution_count": 1}), None, 0)
    execute.output(outs, _error("e" * 10_000, ["t" * 10_000]), None, 0)
    assert [out.output_type for out in outs] == ["stream", "error"]
    assert outs[0].text == NOTICE.format(limit=CAP)
    assert len(outs[1].evalue) < SMALL_ERROR_BYTES + 100 and sum(map(len, outs[1].traceback)) < SMALL_ERROR_BYTES + 100


def test_an_observation_report_past_its_bound_becomes_a_stand_in_that_the_grader_refuses(execute):
    outs = []
    huge = {"name": "x", "value": "v" * (MAX_REPORT_BYTES + 2**17), "nonce": None}
    execute.output(outs, _message("display_data", {"data": {MIME: huge}, "metadata": {}}), None, 0)
    execute.output(outs, _message("display_data", {"data": {MIME: {"name": "y", "value": 1}}, "metadata": {}}),
                   None, 0)
    assert [list(out.data[MIME]) for out in outs] == [["oversized"], ["name", "value"]]
    cell = v4.new_code_cell("", metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "t"}})
    cell.outputs = outs
    assert "not a dict of name, value" in refused(observations(v4.new_notebook(cells=[cell])))["t"]


def _update(text_or_data, display_id="same") -> dict:
    data = text_or_data if isinstance(text_or_data, dict) else {"text/plain": text_or_data}
    return _message("update_display_data", {"data": data, "metadata": {}, "transient": {"display_id": display_id}})


def test_updating_a_shown_display_counts_once_per_output_it_rewrites_and_never_writes_a_report(execute):
    execute.nb = v4.new_notebook(cells=[v4.new_code_cell("")])
    outs = execute.nb.cells[0].outputs
    shown = {"data": {"text/plain": "small"}, "metadata": {}, "transient": {"display_id": "same"}}
    for _ in range(8):
        execute.output(outs, _message("display_data", shown), "same", 0)
    execute._update_display_id("same", _update("changed"))
    assert [out.data["text/plain"] for out in outs] == ["changed"] * 8
    execute._update_display_id("same", _update("u" * (CAP // 4)))
    assert all(out.data["text/plain"] == "changed" for out in outs), "8 copies of a quarter of the cap: refused"
    execute._update_display_id("same", _update({MIME: {"name": "x", "value": 1}}))
    assert all(MIME not in out.data for out in outs)


class _Channel:
    """An IOPub channel whose first message cannot be parsed (as a 5000-digit integer would be)."""

    def __init__(self, messages):
        self.messages = messages

    async def get_msg(self, timeout=None):
        message = self.messages.pop(0)
        if isinstance(message, Exception):
            raise message
        return message


def test_a_message_the_grader_cannot_parse_is_dropped_with_a_notice_and_the_cell_goes_on(execute):
    import asyncio

    from helpers.observations import MIME as OBSERVATION

    unparseable = ValueError("Exceeds the limit (4300 digits) for integer string conversion")
    report = _message("display_data", {"data": {OBSERVATION: {"name": "x", "value": 1}}, "metadata": {}})
    idle = _message("status", {"execution_state": "idle"})
    execute.kc = type("Client", (), {"iopub_channel": _Channel([unparseable, unparseable, report, idle])})()
    execute.record_timing = False
    execute.nb = v4.new_notebook(cells=[v4.new_code_cell("")])
    cell = execute.nb.cells[0]
    asyncio.run(execute._async_poll_output_msg("cell", cell, 0))
    assert [out.output_type for out in cell.outputs] == ["stream", "display_data"]
    assert cell.outputs[0].name == "stdout", "nbgrader scores a test cell that wrote to stderr 0"
    assert "a message from the kernel could not be read and was dropped (Exceeds the limit" in cell.outputs[0].text
