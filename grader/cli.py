"""``python -m grader``: argparse front end. Exit codes: 0 success, 1 a check failed, 2 bad input,
3 the system refused (a full disk, a missing permission, another system error): nothing is wrong with the input."""

import argparse
import errno
import sys
from pathlib import Path

from grader.nbgrader_adapter import NbgraderError
from grader.notebooks import NotebookError, lesson_counts, nbval_counts, read
from grader.paths import LESSONS, SOLUTIONS, resolve_stems
from grader.safety.sandbox import SandboxUnavailable
from grader.settings import DEFAULT_LIMITS, MIB, Limits


def _release(args: argparse.Namespace) -> int:
    from grader.authoring.release import release

    for path in release(resolve_stems(args.lessons)):
        print(f"released {path.relative_to(LESSONS.parent)}")
    return 0


def _refresh(args: argparse.Namespace) -> int:
    from grader.authoring.refresh import refresh

    for stem in resolve_stems(args.lessons):
        print(f"refreshed the outputs of {refresh(stem).relative_to(SOLUTIONS.parent)}", flush=True)
    return 0


def _check(args: argparse.Namespace) -> int:
    from grader.authoring.leaks import find_leaks, leaking_exercises
    from grader.authoring.observation_seeds import constant_observations
    from grader.authoring.quiz_balance import balance_report
    from grader.authoring.sync import stale_lessons
    from grader.authoring.validate import check_solution, check_untouched

    stems = resolve_stems(args.lessons)
    if not stems:
        print("error: no lessons in solutions/", file=sys.stderr)
        return 2
    failures = list(stale_lessons(stems).values())
    print(f"sync: {len(stems) - len(failures)}/{len(stems)} lessons match a fresh release")
    leaks, exercises, solutions = [], 0, {stem: read(SOLUTIONS / f"{stem}.ipynb") for stem in stems}
    for stem, solution in solutions.items():
        counts = lesson_counts(solution)
        exercises += counts["exercises"]
        found = find_leaks(stem, solution, read(LESSONS / f"{stem}.ipynb"))
        leaks += found
        print(f"lesson {stem}: {counts['exercises']} exercises, {counts['points']:g} points, "
              f"{counts['knowledge_checks']} knowledge checks (no points); "
              f"{len(leaking_exercises(found))} show solution code")
    print(f"leaks: {len(leaking_exercises(leaks))} of {exercises} exercises show solution code in a visible cell")
    failures += [str(leak) for leak in leaks]
    balance_lines, balance_problems = balance_report(stems)
    print("\n".join(balance_lines))
    failures += balance_problems
    if not args.sync_only:
        for stem in stems:
            for verdict, role in ((check_solution(SOLUTIONS / f"{stem}.ipynb"), "solution"),
                                  (check_untouched(LESSONS / f"{stem}.ipynb"), "untouched lesson")):
                status = "ok" if verdict.ok else "FAILED"
                print(f"validate {stem} ({role}): {verdict.graded_cells} graded tests, {status}")
                failures += [f"{stem} ({role}): {problem}" for problem in verdict.problems]
            constant = constant_observations(SOLUTIONS / f"{stem}.ipynb")
            print(f"seeds {stem}: {len(constant)} observations the same under two seeds or short of the grader's "
                  "own measure")
            failures += [f"{stem}: {item}" for item in constant]
    for stem, solution in solutions.items():
        counts = nbval_counts(solution)
        print(f"nbval {stem}: {counts['compared']} code cells compared, {counts['ignored']} ignored")
    for failure in failures:
        print(f"problem: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _bundle(args: argparse.Namespace) -> int:
    from grader.authoring.bundle import LeakFound, bundle

    try:
        out = bundle(Path(args.out).resolve(), make_zip=args.zip)
    except LeakFound as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote the student bundle to {out}" + (f" and {out.name}.zip beside it" if args.zip else ""))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from grader.grading.demo import build

    folder = Path(args.out)
    if folder.exists() and any(folder.iterdir()):
        print(f"error: {folder} is not empty; name a new folder", file=sys.stderr)
        return 2
    expected = build(folder, copies=args.copies)
    print(f"wrote {len(expected)} sample submissions of lesson 01 to {folder}/; the scores they should get:")
    for student, score in expected.items():
        print(f"  {student}: {score:g}")
    print(f"next: python -m grader collect {folder}")
    return 0


def _course_and_db(args: argparse.Namespace):
    from grader.grading.classroom import default_db_url

    course = Path(args.course).resolve()
    return course, args.db or default_db_url(course)


def _collect(args: argparse.Namespace) -> int:
    from grader.grading.classroom import prepare_lessons
    from grader.grading.collect import collect

    course, db = _course_and_db(args)
    report = collect(Path(args.source), course, args.pattern) if args.pattern else collect(Path(args.source), course)
    print(report.summary())
    lessons = sorted({lesson for _, lesson in report.collected + report.unchanged})
    if lessons:
        prepare_lessons(course, db, lessons)
    return 0 if lessons else 1


def _autograde(args: argparse.Namespace) -> int:
    from grader.grading.batch import autograde_class, find_submissions
    from grader.grading.classroom import prepare_lessons
    from grader.safety.sandbox import enforced_bounds, require_sandbox

    course, db = _course_and_db(args)
    lessons = resolve_stems(args.lessons) if args.lessons else None
    submissions = find_submissions(course, lessons, args.student)
    if not submissions:
        print(f"error: no collected submissions in {course / 'submitted'}; run `python -m grader collect` first",
              file=sys.stderr)
        return 2
    limits = Limits(cell_seconds=args.timeout, notebook_seconds=args.notebook_timeout,
                    cpu_seconds=args.notebook_timeout, memory_bytes=args.memory_mib * MIB,
                    disk_bytes=args.disk_mib * MIB)
    if not args.no_sandbox:
        require_sandbox()
    print(f"limits per notebook: {limits.describe()}; "
          + ("no sandbox: student code runs with the grader's rights, and no disk quota" if args.no_sandbox
             else "sandboxed (bubblewrap)") + f"; enforced here: {enforced_bounds(not args.no_sandbox, limits)}")
    print("kernels: " + ("cold, each starts Python and imports torch itself (--no-warm)" if args.no_warm else
                         "warm, forked from each worker's process that has imported torch and the course's helpers"))
    prepare_lessons(course, db, sorted({s.lesson for s in submissions}))
    report = autograde_class(course, db, lessons, args.student, force=args.force, scheduler=args.scheduler,
                             workers=args.workers, show_progress=not args.no_progress, limits=limits,
                             sandboxed=not args.no_sandbox, warm=not args.no_warm)
    print(report.summary())
    return 1 if report.ungradable else 0


def _feedback(args: argparse.Namespace) -> int:
    from grader.grading.feedback import generate_feedback

    course, db = _course_and_db(args)
    pages = generate_feedback(course, db, resolve_stems(args.lessons) if args.lessons else None)
    print(f"wrote {len(pages)} feedback pages under {course / 'feedback'}")
    return 0 if pages else 1


def _export(args: argparse.Namespace) -> int:
    from grader.grading.export import export

    course, db = _course_and_db(args)
    for path in export(course, db, Path(args.out or course / "exports")):
        print(f"wrote {path}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from grader.grading.report import write_report

    course, db = _course_and_db(args)
    for path in write_report(course, db, Path(args.out or course / "reports")):
        print(f"wrote {path}")
    return 0


def _add_course_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--course", default="course",
                        help="the class's course folder (nbgrader layout; default: ./course)")
    parser.add_argument("--db", help="gradebook database URL, e.g. postgresql://user@host/grades "
                                     "(default: $GRADER_DB_URL, else SQLite in the course folder)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m grader", description="The instructor's side of the course: release, check and grade lessons.",
        epilog="Exit codes: 0 success, 1 a check failed or some submissions could not be graded, 2 bad input, "
               "3 the system refused (disk full, permission denied).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    release = commands.add_parser("release", help="regenerate lessons/ from solutions/ (nbgrader generate_assignment)")
    release.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all)")
    release.set_defaults(run=_release)

    refresh = commands.add_parser("refresh", help="execute solutions/ in learner mode and store their outputs")
    refresh.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all)")
    refresh.set_defaults(run=_refresh)

    check = commands.add_parser("check", help="sync of lessons/ with solutions/, solution code in visible cells, "
                                              "both-ways validation")
    check.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all)")
    check.add_argument("--sync-only", action="store_true",
                       help="skip executing the notebooks (sync, counts and the leak check only)")
    check.set_defaults(run=_check)

    bundle = commands.add_parser("bundle", help="write what learners get (lessons, helpers, set-up files), "
                                                "scanned for solution and hidden-test text")
    bundle.add_argument("--out", default="dist/pytorch-basics", help="a new folder (default: dist/pytorch-basics)")
    bundle.add_argument("--zip", action="store_true", help="also write <out>.zip")
    bundle.set_defaults(run=_bundle)

    demo = commands.add_parser("demo", help="write a sample class of lesson-01 submissions with known scores")
    demo.add_argument("out", nargs="?", default="sample", help="a new folder (default: ./sample)")
    demo.add_argument("--copies", type=int, default=1, help="copies of each of the 6 kinds of student (default: 1)")
    demo.set_defaults(run=_demo)

    collect = commands.add_parser("collect", help="import submissions from a folder or an LMS zip")
    collect.add_argument("source", help="a folder (one sub-folder per student) or a .zip of submissions")
    collect.add_argument("--pattern", help="regex with (?P<student_id>...) and (?P<file_id>...) for flat file names")
    _add_course_options(collect)
    collect.set_defaults(run=_collect)

    autograde = commands.add_parser("autograde", help="grade collected submissions in parallel (Dask), resumably")
    autograde.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all collected)")
    autograde.add_argument("--student", action="append", help="only this student (repeatable)")
    autograde.add_argument("--force", action="store_true", help="regrade what is already graded")
    autograde.add_argument("--scheduler", help="address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                                               "(default: an embedded cluster on this machine)")
    autograde.add_argument("--workers", type=int, help="workers of the embedded cluster (default: one per core)")
    autograde.add_argument("--timeout", type=int, default=DEFAULT_LIMITS.cell_seconds,
                           help="seconds allowed per cell (default: %(default)s)")
    autograde.add_argument("--notebook-timeout", type=int, default=DEFAULT_LIMITS.notebook_seconds,
                           help="seconds (wall and CPU) allowed per notebook (default: %(default)s)")
    autograde.add_argument("--memory-mib", type=int, default=DEFAULT_LIMITS.memory_bytes // MIB,
                           help="address space per kernel process, MiB (default: %(default)s; torch maps ~2 GiB)")
    autograde.add_argument("--disk-mib", type=int, default=DEFAULT_LIMITS.disk_bytes // MIB,
                           help="all a notebook may write, MiB (default: %(default)s; sandbox only)")
    autograde.add_argument("--no-sandbox", action="store_true",
                           help="run student code without bubblewrap isolation (limits still apply); "
                                "only for code you trust")
    autograde.add_argument("--no-warm", action="store_true",
                           help="start every kernel from scratch (as nbgrader does) instead of forking it from a "
                                "process that has already imported torch: for comparison, or where forking fails")
    autograde.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_course_options(autograde)
    autograde.set_defaults(run=_autograde)

    feedback = commands.add_parser("feedback", help="per-student HTML feedback, without hidden-test code")
    feedback.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all graded)")
    _add_course_options(feedback)
    feedback.set_defaults(run=_feedback)

    export = commands.add_parser("export", help="grades CSV per lesson and per exercise, and one for LMS import")
    export.add_argument("--out", help="output folder (default: <course>/exports)")
    _add_course_options(export)
    export.set_defaults(run=_export)

    report = commands.add_parser("report", help="class report: score distributions and common failures (PNG, HTML)")
    report.add_argument("--out", help="output folder (default: <course>/reports)")
    _add_course_options(report)
    report.set_defaults(run=_report)
    return parser


BAD_INPUT, SYSTEM_REFUSED = 2, 3
INPUT_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, FileExistsError)


def system_advice(error: OSError) -> str:
    """What the system refused, and what to do about it, for an OSError that is not about the input."""
    where = f" ({error.filename})" if error.filename else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"no space left on the disk{where}: free some space (or raise the quota) and run the same command "
                "again; what was already recorded is kept, and the rest is done then")
    if isinstance(error, PermissionError) or error.errno == errno.EROFS:
        return (f"permission denied{where}: run as a user who may write there (check the folder's owner and "
                "mode, and --course), then run the same command again")
    return f"the system refused: {error.strerror or error}{where}; fix that, then run the same command again"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except OSError as error:
        if isinstance(error, INPUT_ERRORS):
            print(f"error: {error}", file=sys.stderr)
            return BAD_INPUT
        print(f"error: {system_advice(error)}", file=sys.stderr)
        return SYSTEM_REFUSED
    except (ValueError, NotebookError, SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return BAD_INPUT
    except NbgraderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
