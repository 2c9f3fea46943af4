"""The real FashionMNIST, loaded through torchvision and seeded offline from a local mirror.

Before torchvision would download, :func:`seed_raw_folder` fills ``<root>/FashionMNIST/raw/`` from a
local mirror: the folder named by ``$FASHION_MNIST_MIRROR``, else Debian's ``dataset-fashion-mnist``
files. Debian recompressed the .gz files, so their md5s differ from torchvision's list; we
decompress them and verify the md5 of the uncompressed content instead.
Introduced in lessons/01_quickstart.ipynb.

Run ``python -m helpers.data`` to prepare the data once (``make lab`` and ``make test`` do).
"""

import gzip
import hashlib
import os
import shutil
import sys
from pathlib import Path

import torch
from torch.utils.data import Dataset, Subset
from torchvision import datasets
from torchvision.transforms import v2

from helpers.data_folder import default_root

MIRROR_ENV_VAR = "FASHION_MNIST_MIRROR"
DEBIAN_MIRROR = Path("/usr/share/datasets/fashion-mnist")

# md5 of each file's uncompressed content, as torchvision's FashionMNIST expects it in raw/.
RAW_FILES = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}

CLASS_NAMES = datasets.FashionMNIST.classes  # "T-shirt/top", ..., "Ankle boot"

HOW_TO_GET_DATA = (
    "To get FashionMNIST offline, either install Debian's package "
    "(sudo apt-get install dataset-fashion-mnist), or download the four "
    "*-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist and set "
    f"${MIRROR_ENV_VAR} to the folder holding them."
)


class DataUnavailableError(RuntimeError):
    """FashionMNIST is neither in the data folder, nor in a local mirror, nor downloadable."""


def raw_folder(root: Path) -> Path:
    """Where torchvision's FashionMNIST looks for the uncompressed files."""
    return Path(root) / "FashionMNIST" / "raw"


def find_mirror() -> Path | None:
    """The first local mirror holding all four files: $FASHION_MNIST_MIRROR, then Debian's folder."""
    named = os.environ.get(MIRROR_ENV_VAR)
    if named and not Path(named).is_dir():
        raise DataUnavailableError(f"${MIRROR_ENV_VAR} names {named!r}, which is not a folder. {HOW_TO_GET_DATA}")
    for folder in [Path(named)] if named else [DEBIAN_MIRROR]:
        if all(_mirror_file(folder, name) for name in RAW_FILES):
            return folder
        if named:
            missing = [name for name in RAW_FILES if not _mirror_file(folder, name)]
            raise DataUnavailableError(f"${MIRROR_ENV_VAR}={named!r} lacks {', '.join(missing)}. {HOW_TO_GET_DATA}")
    return None


def _mirror_file(folder: Path, name: str) -> Path | None:
    """``name`` or ``name.gz`` inside ``folder``, whichever exists."""
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    return None


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def seed_raw_folder(root: Path, mirror: Path) -> list[str]:
    """Decompress the mirror's files into ``root``'s raw folder, verifying md5s; return names written.

    Each file is written to a temporary name and renamed only once verified, so an interrupted run
    leaves no half-written file for torchvision to trust.
    """
    target = raw_folder(root)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, expected_md5 in RAW_FILES.items():
        destination = target / name
        if destination.exists():
            continue
        source = _mirror_file(mirror, name)
        partial = destination.with_suffix(".partial")
        opener = gzip.open if source.suffix == ".gz" else open
        with opener(source, "rb") as reader, open(partial, "wb") as writer:
            shutil.copyfileobj(reader, writer)
        found_md5 = _md5(partial)
        if found_md5 != expected_md5:
            partial.unlink()
            raise DataUnavailableError(
                f"{source} does not hold the original FashionMNIST {name}: md5 of its content is "
                f"{found_md5}, expected {expected_md5}. The mirror is damaged or holds other data. "
                + HOW_TO_GET_DATA
            )
        partial.rename(destination)
        written.append(name)
    return written


def to_float_image() -> v2.Compose:
    """The course's default transform: a PIL image becomes a float32 tensor ``[1, 28, 28]`` in [0, 1].

    ``ToPureTensor`` hands back a plain ``torch.Tensor`` instead of the ``tv_tensors.Image`` that
    ``ToImage`` makes, so what the lessons print and test is an ordinary tensor.
    """
    return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.ToPureTensor()])


def fashion_mnist(train: bool = True, root: Path | None = None, transform=None, target_transform=None,
                  subset: int | None = None) -> Dataset:
    """FashionMNIST via ``torchvision.datasets.FashionMNIST``, offline when a mirror exists.

    ``transform`` defaults to :func:`to_float_image` (v2 ``ToImage``, ``ToDtype(float32, scale=True)``);
    ``subset`` keeps the first ``subset`` samples.
    """
    root = Path(root) if root is not None else default_root()
    if not all((raw_folder(root) / name).exists() for name in RAW_FILES):
        mirror = find_mirror()
        if mirror is not None:
            seed_raw_folder(root, mirror)
    try:
        dataset = datasets.FashionMNIST(
            root=root, train=train, download=True,
            transform=transform if transform is not None else to_float_image(),
            target_transform=target_transform,
        )
    except RuntimeError as error:
        raise DataUnavailableError(
            f"FashionMNIST is not in {raw_folder(root)}, no local mirror was found, and the download "
            f"failed ({error}). {HOW_TO_GET_DATA}"
        ) from error
    return Subset(dataset, range(min(subset, len(dataset)))) if subset is not None else dataset


def prepare(root: Path | None = None) -> str:
    """Make sure both splits load; return a one-line summary (used by ``make``)."""
    root = Path(root) if root is not None else default_root()
    train, test = fashion_mnist(train=True, root=root), fashion_mnist(train=False, root=root)
    return f"FashionMNIST ready in {raw_folder(root)}: {len(train)} training and {len(test)} test images"


if __name__ == "__main__":
    try:
        print(prepare())
    except DataUnavailableError as error:
        sys.exit(f"error: {error}")
