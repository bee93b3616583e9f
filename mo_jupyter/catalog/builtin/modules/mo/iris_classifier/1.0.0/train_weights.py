"""How results/weights.npz was made (not needed at run time): softmax regression on the mo/iris
CSV, standardized features, full-batch gradient descent with a little L2, NumPy only.

    python train_weights.py path/to/iris.csv [results/weights.npz]
"""

import csv
import sys
from pathlib import Path

import numpy as np

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")


def main(csv_path, out=Path(__file__).resolve().parent / "results" / "weights.npz"):
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    X = np.array([[float(r[k]) for k in FEATURES] for r in rows])
    classes = sorted({r["species"] for r in rows})
    y = np.array([classes.index(r["species"]) for r in rows])
    mean, std = X.mean(0), X.std(0)
    Xs, Y = (X - mean) / std, np.eye(len(classes))[y]
    W, b = np.zeros((4, len(classes))), np.zeros(len(classes))
    for step in range(5000):
        z = Xs @ W + b
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        W -= 0.1 * (Xs.T @ (p - Y) / len(X) + 1e-3 * W)
        b -= 0.1 * (p - Y).mean(0)
    print(f"train accuracy {(p.argmax(1) == y).mean():.3f}")
    np.savez(out, mean=mean, std=std, W=W, b=b, classes=np.array(classes))


if __name__ == "__main__":
    main(*sys.argv[1:])
