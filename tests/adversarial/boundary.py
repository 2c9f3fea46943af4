"""Adversarial lesson-02 cases against values a kernel sends the grader's own processes (reports, outputs).

Each stands on the two wrong answers of ``two_wrong_answers`` (describe and standardize_columns: FULL - 3
honestly), so an attack that worked would show as a higher score, or as a batch that stops for everyone.
"""

from tests.adversarial.cases import FORGE_CHECKS, FULL, WRONG_DESCRIBE, WRONG_STANDARDIZE, Case, answered

# Before numpy_view's test runs, an IPython hook shows a report of its first observation holding 400-digit
# integers where the reference holds floats: comparing them once raised OverflowError and stopped the batch.
HUGE_INTEGER_REPORT = '''from IPython.display import display as _show
from helpers.observations import MIME as _MIME
def _huge_report(info):
    if "numpy_view(_obs_arr)" in info.raw_cell:
        _show({_MIME: {"name": "tensor 0", "value": {"tensor": {"dtype": "float32", "shape": [3, 2],
                                                               "values": [10**400] * 6}},
                       "rtol": 1e-4, "atol": 1e-6}}, raw=True)
get_ipython().events.register("pre_run_cell", _huge_report)
'''
# Every check forged, and before describe's test runs, a hook runs that test's observation block (read from
# the cell about to run) with a friend's right describe: right reports shown before the block's own wrong ones.
# The grader once kept the first report of a name.
EARLY_REPORTS = FORGE_CHECKS + '''_friend = {}
exec(FRIEND_SOURCE, dict(globals()), _friend)
def _early_reports(info):
    source = info.raw_cell
    if "describe(_obs_t)" in source:
        block = source[source.index("# Observed by the grader"):source.rindex("### END HIDDEN TESTS")]
        exec(block, {**globals(), "describe": _friend["describe"]})
get_ipython().events.register("pre_run_cell", _early_reports)
'''
# Every check forged, and helpers.observations.observe replaced by one that reports every verdict (a boolean)
# as passed, which needs no computation, and passes the rest on: the values drawn from the run's seed
# (dtypes, shapes, results) still differ from the reference's.
FORGED_VERDICTS = FORGE_CHECKS + '''import helpers.observations as _observations
_real_observe = _observations.observe
def _passed(value):
    if isinstance(value, bool):
        return True
    return type(value)(_passed(item) for item in value) if isinstance(value, (list, tuple)) else value
def _claim(name, value, *args, **kwargs):
    return _real_observe(name, _passed(value), *args, **kwargs)
_observations.observe = _claim
'''
# Before numpy_view's test runs, a hook lifts Python's limit on printing integers and shows a report holding
# one of 5000 digits: the grader's side cannot parse that message (Python refuses such an integer).
INTEGER_PAST_THE_PARSER = '''import sys
from IPython.display import display as _show
from helpers.observations import MIME as _MIME
sys.set_int_max_str_digits(0)
def _unparseable_report(info):
    if "numpy_view(_obs_arr)" in info.raw_cell:
        _show({_MIME: {"name": "tensor 0", "value": 10**5000}}, raw=True)
get_ipython().events.register("pre_run_cell", _unparseable_report)
'''
# describe raises an exception whose message is 40 MB (evalue and traceback: 80 MB, the output cap 1 MiB).
HUGE_EXCEPTION = 'def describe(t):\n    raise ValueError("spam " * 8_000_000)\n'


def _on_wrong_answers(ctx, attack: str, describe: str = WRONG_DESCRIBE):
    """The two wrong answers, ``attack`` run before describe's answer."""
    return answered(ctx, describe=attack + describe, standardize_columns=WRONG_STANDARDIZE)


def cases() -> list[Case]:
    return [
        # The report is refused (numpy_view, right, loses its point) and named; the batch goes on.
        Case("huge_integer_report", lambda ctx: _on_wrong_answers(ctx, HUGE_INTEGER_REPORT), FULL - 4,
             "larger than 2**64", {"forged report"}, tampered=True),
        Case("early_observation_reports", lambda ctx: _on_wrong_answers(
            ctx, EARLY_REPORTS.replace("FRIEND_SOURCE", repr(ctx.answers["describe"]))), FULL - 3,
             "a second report of", {"forged report"}, tampered=True),
        Case("forged_verdict_observations", lambda ctx: _on_wrong_answers(ctx, FORGED_VERDICTS),
             FULL - 3, "results differ from the reference", {"results disagree"}, tampered=True),
        # The message is dropped with a notice (it once ended the notebook as "exited with code 0"); the
        # block's own report stands, so numpy_view keeps its point.
        Case("integer_past_the_parser", lambda ctx: _on_wrong_answers(ctx, INTEGER_PAST_THE_PARSER), FULL - 3,
             "a message from the kernel could not be read and was dropped"),
        Case("huge_exception", lambda ctx: _on_wrong_answers(ctx, "", HUGE_EXCEPTION), FULL - 3,
             "more characters of this error were dropped (output limit)"),
    ]
