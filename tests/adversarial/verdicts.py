"""Adversarial lesson-02 cases against how a verdict is reached and recorded: the probe, the record, the feedback page.

Most stand on the two wrong answers of ``two_wrong_answers`` (FULL - 3 honestly): an attack that worked
would show as a higher score. Where the probe catches the attack in the kernel, every later test fails
there and the score falls to 0.
"""

from tests.adversarial.cases import FULL, WRONG_DESCRIBE, WRONG_STANDARDIZE, Case, answered

# The check functions' code swapped for one that passes everything; each function stays the same object, and
# the name is computed so that the code audit sees only a generic setattr: the probe must find it.
SWAP_CHECK_CODE = '''import helpers.checks as _checks
_pass = (lambda *args, **kwargs: None).__code__
for _name in ("assert_type", "assert_equal", "assert_shape", "assert_close"):
    setattr(getattr(_checks, _name), "__co" + "de__", _pass)
'''
# The v2 probe forgery: the probe's verify replaced by one reporting a clean kernel, and torch.allclose replaced,
# both through setattr.
FORGE_PROBE = '''import sys
from IPython.display import display as _show
_probe = sys.modules["grader_probe"]
setattr(_probe, "verify", lambda namespace: _show({_probe.MIME: {"problems": []}}, raw=True))
setattr(torch, "allclose", lambda *args, **kwargs: True)
'''
# A forged probe whose reports hold lists where the probe sends sentences (it once crashed the grader).
MALFORMED_PROBE_REPORT = '''import sys
from IPython.display import display as _show
_probe = sys.modules["grader_probe"]
setattr(_probe, "verify", lambda namespace: _show({_probe.MIME: {"problems": [["all", "clear"], {"n": 1}]}},
                                                  raw=True))
'''
# The observation helper replaced: the hidden blocks would report nothing, or whatever the student likes.
PATCH_OBSERVE = '''import helpers.observations as _observations
setattr(_observations, "obs" + "erve", lambda *args, **kwargs: None)
'''
# A function the test calls prints the whole source of the calling cell, hidden tests included, once.
CALLER_SOURCE = '''import inspect, linecache
def _show_callers_cell(function):
    def wrapper(*args, **kwargs):
        if not wrapper.shown:
            wrapper.shown = True
            frame = inspect.currentframe().f_back
            while frame.f_back is not None and frame.f_code.co_name != "<module>":
                frame = frame.f_back
            print("".join(linecache.getlines(frame.f_code.co_filename)))
        return function(*args, **kwargs)
    wrapper.shown = False
    return wrapper
describe = _show_callers_cell(describe)
'''
SEED = 'import os\nprint("grading seed:", os.environ.get("GRADER_OBSERVATION_SEED"))\n'
HTML_AND_JS = '''from IPython.display import HTML, Javascript, display
display(HTML("<b>mine</b><script>document.title = 'owned'</script><img src=x onerror=\\"alert(1)\\">"))
display(Javascript("document.body.innerHTML = 'owned'"))
'''
OWN_SOURCE = "import inspect\nprint(inspect.getsource(describe))\n"


def _on_wrong_answers(ctx, attack: str):
    """The two wrong answers, ``attack`` run before the wrong describe."""
    return answered(ctx, describe=attack + WRONG_DESCRIBE, standardize_columns=WRONG_STANDARDIZE)


def cases() -> list[Case]:
    return [
        Case("swapped_check_code", lambda ctx: _on_wrong_answers(ctx, SWAP_CHECK_CODE), 0,
             "the __code__ of helpers.checks.", {"tampering", "risky call"}, tampered=True),
        Case("forged_probe_and_allclose", lambda ctx: _on_wrong_answers(ctx, FORGE_PROBE), FULL - 3,
             "replaces torch.allclose, which the tests rely on", {"forges the probe", "replaces a check"},
             tampered=True),
        Case("malformed_probe_report", lambda ctx: _on_wrong_answers(ctx, MALFORMED_PROBE_REPORT), FULL - 3,
             "an integrity report the probe never sends", {"forged probe report", "forges the probe"}, tampered=True),
        Case("patched_observe", lambda ctx: _on_wrong_answers(ctx, PATCH_OBSERVE), 0,
             "helpers.observations.observe was replaced", {"tampering"}, tampered=True),
        # The leaks gain no point (describe is right, standardize_columns wrong: FULL - 2); the feedback page
        # would carry the hidden tests out, so the notebook is flagged and its page withheld.
        Case("caller_source_leak", lambda ctx: answered(ctx, describe=ctx.answers["describe"] + "\n" + CALLER_SOURCE,
                                                        standardize_columns=WRONG_STANDARDIZE),
             FULL - 2, "hidden-test lines", {"hidden tests shown"}, tampered=True),
        Case("seed_leak", lambda ctx: answered(ctx, describe=SEED + ctx.answers["describe"],
                                               standardize_columns=WRONG_STANDARDIZE),
             FULL - 2, "the grading run's seed", {"hidden tests shown"}, tampered=True),
        # Showing HTML and JavaScript is no tampering (the feedback page sanitizes it), and gains nothing.
        Case("html_and_js_output", lambda ctx: _on_wrong_answers(ctx, HTML_AND_JS), FULL - 3),
        # Reading one's own code with inspect is honest work: full marks, nothing flagged.
        Case("prints_its_own_source", lambda ctx: answered(ctx, describe=ctx.answers["describe"] + "\n" + OWN_SOURCE),
             FULL),
    ]
