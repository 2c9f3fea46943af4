"""``python -m grader`` tells bad input (exit 2) from a system that refused (exit 3: a full disk, a missing
permission), and says what to do about the latter."""

import errno

import pytest

from grader import cli


def _failing_with(error: BaseException):
    def run(args):
        raise error
    return run


@pytest.mark.parametrize("error, status, says", [
    (OSError(errno.ENOSPC, "No space left on device", "/course/gradebook.db"), cli.SYSTEM_REFUSED,
     "no space left on the disk (/course/gradebook.db): free some space"),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), cli.SYSTEM_REFUSED, "no space left on the disk: free some space"),
    (PermissionError(errno.EACCES, "Permission denied", "/course/submitted"), cli.SYSTEM_REFUSED,
     "permission denied (/course/submitted): run as a user who may write there"),
    (OSError(errno.EROFS, "Read-only file system", "/course"), cli.SYSTEM_REFUSED, "permission denied (/course)"),
    (OSError(errno.EIO, "Input/output error"), cli.SYSTEM_REFUSED, "the system refused: Input/output error"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "missing.zip"), cli.BAD_INPUT, "missing.zip"),
    (IsADirectoryError(errno.EISDIR, "Is a directory", "course"), cli.BAD_INPUT, "Is a directory"),
    (ValueError("unknown lesson '99'"), cli.BAD_INPUT, "unknown lesson '99'")])
def test_each_failure_gets_its_own_exit_status_and_message(monkeypatch, capsys, error, status, says):
    parser = cli.build_parser()
    args = parser.parse_args(["report"])
    args.run = _failing_with(error)
    monkeypatch.setattr(cli, "build_parser", lambda: type("Parser", (), {"parse_args": lambda self, argv: args})())
    assert cli.main(["report"]) == status
    assert says in capsys.readouterr().err
