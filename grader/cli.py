"""``python -m grader``: argparse front end. Exit codes: 0 success, 1 a check failed, 2 bad input."""

import argparse
import sys

from grader.course import NbgraderError
from grader.notebooks import NotebookError, nbval_counts, read
from grader.paths import LESSONS, SOLUTIONS, resolve_stems


def _release(args: argparse.Namespace) -> int:
    from grader.release import release

    for path in release(resolve_stems(args.lessons)):
        print(f"released {path.relative_to(LESSONS.parent)}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from grader.sync import stale_lessons
    from grader.validate import check_solution, check_untouched

    stems = resolve_stems(args.lessons)
    if not stems:
        print("error: no lessons in solutions/", file=sys.stderr)
        return 2
    failures = list(stale_lessons(stems).values())
    print(f"sync: {len(stems) - len(failures)}/{len(stems)} lessons match a fresh release")
    if not args.sync_only:
        for stem in stems:
            for verdict, role in ((check_solution(SOLUTIONS / f"{stem}.ipynb"), "solution"),
                                  (check_untouched(LESSONS / f"{stem}.ipynb"), "untouched lesson")):
                status = "ok" if verdict.ok else "FAILED"
                print(f"validate {stem} ({role}): {verdict.graded_cells} graded tests, {status}")
                failures += [f"{stem} ({role}): {problem}" for problem in verdict.problems]
    for stem in stems:
        counts = nbval_counts(read(SOLUTIONS / f"{stem}.ipynb"))
        print(f"nbval {stem}: {counts['compared']} code cells compared, {counts['ignored']} ignored")
    for failure in failures:
        print(f"problem: {failure}", file=sys.stderr)
    return 1 if failures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__.split(":")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    release = commands.add_parser("release", help="regenerate lessons/ from solutions/ (nbgrader generate_assignment)")
    release.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all)")
    release.set_defaults(run=_release)

    check = commands.add_parser("check", help="sync of lessons/ with solutions/, and both-ways validation")
    check.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all)")
    check.add_argument("--sync-only", action="store_true", help="skip executing the notebooks")
    check.set_defaults(run=_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, NotebookError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except NbgraderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
