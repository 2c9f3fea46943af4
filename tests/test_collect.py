"""collect (grader/grading/collect.py) expands archives inside a download within bounds: uncompressed bytes and
files counted as they are written (whatever a header claims), nesting depth; a bad nested archive is skipped with
its reason and everything else is collected; a download past the bounds is refused whole, before anything is copied."""

import io
import zipfile

import pytest

from grader.grading.collect import ArchiveLimits, CollectError, collect

LESSON = "01_quickstart"
NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
SMALL = ArchiveLimits(total_bytes=2**20, members=50, depth=2)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def _bomb(size: int) -> bytes:
    """A member of ``size`` zero bytes that compresses to a few KiB."""
    return _zip({"zeros.bin": b"\0" * size})


def _collected(report) -> list[tuple[str, str]]:
    return sorted(report.collected)


def test_nested_archives_are_expanded_into_folders_of_their_names(tmp_path):
    download = tmp_path / "download.zip"
    download.write_bytes(_zip({"ada.zip": _zip({f"{LESSON}.ipynb": NOTEBOOK}),
                               f"bob/{LESSON}.ipynb": NOTEBOOK,
                               "cy/work.zip": _zip({"inner.zip": _zip({f"{LESSON}.ipynb": NOTEBOOK})})}))
    report = collect(download, tmp_path / "course", limits=SMALL)
    assert _collected(report) == [("ada", LESSON), ("bob", LESSON), ("cy", LESSON)]
    assert report.skipped == []


def test_a_bad_nested_archive_is_skipped_with_its_reason_and_nothing_else_is_lost(tmp_path):
    download = tmp_path / "download.zip"
    download.write_bytes(_zip({
        f"ada/{LESSON}.ipynb": NOTEBOOK,
        "bomb.zip": _bomb(8 * 2**20),                                                 # 8 MiB of zeros, 1 MiB allowed
        "deep.zip": _zip({"a.zip": _zip({"b.zip": _zip({f"eve/{LESSON}.ipynb": NOTEBOOK})})}),  # 3 levels, 2 allowed
        "broken.zip": b"PK\3\4 not really a zip",
        "many.zip": _zip({f"f{i}.txt": b"x" for i in range(60)}),                     # 60 files, 50 allowed
        "../escape.ipynb": NOTEBOOK,
        f"bob/{LESSON}.ipynb": NOTEBOOK}))
    report = collect(download, tmp_path / "course", limits=SMALL)
    assert _collected(report) == [("ada", LESSON), ("bob", LESSON)]
    reasons = dict(report.skipped)
    assert reasons["bomb.zip"].startswith("archive not expanded: more bytes uncompressed than the bound")
    assert "nested 3 archives deep, more than 2" in reasons["deep.zip/a.zip/b.zip"]
    assert reasons["broken.zip"].startswith("archive not expanded: BadZipFile")
    assert "more than 50 files" in reasons["many.zip"]
    assert reasons["../escape.ipynb"] == "its path leads out of the archive's folder"
    assert not (tmp_path / "escape.ipynb").exists()
    assert all("(the rest was collected)" in reason for name, reason in report.skipped if name.endswith(".zip"))


def test_a_header_that_understates_a_members_size_gets_nothing_past_its_claim_written(tmp_path):
    data = bytearray(_zip({f"ada/{LESSON}.ipynb": b"\0" * (4 * 2**20)}))
    claimed = (100).to_bytes(4, "little")
    for signature, offset in ((b"PK\3\4", 22), (b"PK\1\2", 24)):  # the local and the central header's size
        start = data.index(signature)
        data[start + offset:start + offset + 4] = claimed
    download = tmp_path / "download.zip"
    download.write_bytes(bytes(data))
    report = collect(download, tmp_path / "course", limits=SMALL)
    assert report.collected == [] and not (tmp_path / "course").exists(), "nothing past the claim was written"
    assert dict(report.skipped)[f"ada/{LESSON}.ipynb"].startswith("cannot be read from the archive (BadZipFile")


def test_a_download_past_the_bounds_or_not_a_zip_is_refused_with_a_clear_error(tmp_path):
    download = tmp_path / "download.zip"
    download.write_bytes(_zip({f"ada/{LESSON}.ipynb": NOTEBOOK, "big.bin": b"\0" * (2 * 2**20)}))
    with pytest.raises(CollectError, match="refused, it holds more bytes uncompressed than the bound .*"
                                           "nothing was collected"):
        collect(download, tmp_path / "course", limits=SMALL)
    download.write_bytes(b"not a zip")
    with pytest.raises(CollectError, match="not a zip file"):
        collect(download, tmp_path / "course", limits=SMALL)
