"""helpers.data: the real FashionMNIST through torchvision, seeded from a local mirror, clear errors otherwise."""

import gzip
import socket

import pytest
import torch

from helpers import data
from helpers.data import DataUnavailableError, fashion_mnist, raw_folder, seed_raw_folder

DEBIAN_FILES = sorted(data.DEBIAN_MIRROR.glob("*.gz"))


@pytest.fixture
def debian_mirror(tmp_path, monkeypatch):
    """A mirror folder holding (links to) Debian's recompressed files, named by $FASHION_MNIST_MIRROR."""
    assert len(DEBIAN_FILES) == 4, (
        f"these tests need Debian's dataset-fashion-mnist in {data.DEBIAN_MIRROR}: `make test` installs it as root "
        "(apt-get install dataset-fashion-mnist)")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for path in DEBIAN_FILES:
        (mirror / path.name).symlink_to(path)
    monkeypatch.setenv("FASHION_MNIST_MIRROR", str(mirror))
    return mirror


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_seeds_from_a_mirror_and_loads_the_real_data_offline(debian_mirror, tmp_path, no_network):
    root = tmp_path / "data"
    train = fashion_mnist(train=True, root=root)
    test = fashion_mnist(train=False, root=root)
    assert (len(train), len(test)) == (60000, 10000)
    image, label = train[0]
    assert image.shape == (1, 28, 28) and image.dtype == torch.float32 and float(image.max()) <= 1.0
    assert data.CLASS_NAMES[label] == "Ankle boot"
    assert sorted(p.name for p in raw_folder(root).iterdir()) == sorted(data.RAW_FILES)


def test_second_run_reuses_what_is_there(debian_mirror, tmp_path):
    root = tmp_path / "data"
    assert len(seed_raw_folder(root, debian_mirror)) == 4
    assert seed_raw_folder(root, debian_mirror) == []


def test_subset_keeps_the_first_samples(debian_mirror, tmp_path):
    subset = fashion_mnist(train=False, root=tmp_path / "data", subset=100)
    full = fashion_mnist(train=False, root=tmp_path / "data")
    assert len(subset) == 100 and subset[99][1] == full[99][1]


def test_debian_folder_is_the_default_mirror(monkeypatch):
    monkeypatch.delenv("FASHION_MNIST_MIRROR", raising=False)
    assert data.find_mirror() == data.DEBIAN_MIRROR


def test_a_damaged_mirror_is_refused_and_leaves_nothing_behind(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in data.RAW_FILES:
        with gzip.open(mirror / f"{name}.gz", "wb") as stream:
            stream.write(b"not the real data")
    monkeypatch.setenv("FASHION_MNIST_MIRROR", str(mirror))
    with pytest.raises(DataUnavailableError, match="does not hold the original FashionMNIST train-images-idx3-ubyte"):
        fashion_mnist(root=tmp_path / "data")
    assert list(raw_folder(tmp_path / "data").iterdir()) == []


def test_mirror_variable_naming_a_missing_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("FASHION_MNIST_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(DataUnavailableError, match="which is not a folder"):
        fashion_mnist(root=tmp_path / "data")


def test_mirror_lacking_files_says_which(tmp_path, monkeypatch):
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "train-images-idx3-ubyte.gz").write_bytes(b"")
    monkeypatch.setenv("FASHION_MNIST_MIRROR", str(tmp_path / "mirror"))
    with pytest.raises(DataUnavailableError, match="lacks train-labels-idx1-ubyte, t10k-images"):
        fashion_mnist(root=tmp_path / "data")


def test_no_mirror_and_no_network_says_how_to_get_the_data(tmp_path, monkeypatch, no_network):
    monkeypatch.delenv("FASHION_MNIST_MIRROR", raising=False)
    monkeypatch.setattr(data, "DEBIAN_MIRROR", tmp_path / "no-debian-package")
    with pytest.raises(DataUnavailableError) as failure:
        fashion_mnist(root=tmp_path / "data")
    message = str(failure.value)
    assert "no local mirror was found, and the download failed" in message
    assert "apt-get install dataset-fashion-mnist" in message and "FASHION_MNIST_MIRROR" in message
