"""Count the suite's test functions and assertions at two git revisions, so a change can show it dropped none.

    .venv/bin/python bench/count_tests.py BEFORE [AFTER]     (AFTER defaults to the working tree)

Counts, per test file: test functions (``def test_*``), their ``assert`` statements, and ``pytest.raises`` /
``pytest.fail`` checks. Helpers' asserts (fixtures, tests/support) are counted apart.
"""

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_files(revision: str | None) -> dict[str, str]:
    """{path: source} of every .py file under tests/ at ``revision`` (None: the working tree)."""
    if revision is None:
        return {str(p.relative_to(REPO)): p.read_text() for p in sorted((REPO / "tests").rglob("*.py"))}
    names = subprocess.run(["git", "ls-tree", "-r", "--name-only", revision, "tests"], cwd=REPO,
                           capture_output=True, text=True, check=True).stdout.split()
    return {name: subprocess.run(["git", "show", f"{revision}:{name}"], cwd=REPO, capture_output=True, text=True,
                                 check=True).stdout for name in names if name.endswith(".py")}


def _checks(node: ast.AST) -> int:
    count = 0
    for inner in ast.walk(node):
        if isinstance(inner, ast.Assert):
            count += 1
        elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) \
                and inner.func.attr in ("raises", "fail") and getattr(inner.func.value, "id", "") == "pytest":
            count += 1
    return count


def count(files: dict[str, str]) -> Counter:
    totals = Counter()
    for source in files.values():
        tree = ast.parse(source)
        tests = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
        in_tests = sum(_checks(test) for test in tests)
        totals["test functions"] += len(tests)
        totals["checks in test functions"] += in_tests
        totals["checks in helpers and fixtures"] += _checks(tree) - in_tests
    return totals


def main(argv: list[str]) -> int:
    before, after = argv[0], argv[1] if len(argv) > 1 else None
    counts = {before: count(test_files(before)), after or "working tree": count(test_files(after))}
    print(f"{'':34}" + "".join(f"{label[:14]:>16}" for label in counts))
    for key in ("test functions", "checks in test functions", "checks in helpers and fixtures"):
        print(f"{key:34}" + "".join(f"{c[key]:>16}" for c in counts.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
