"""A small, real training job with numpy only: softmax regression on synthetic 2-D blobs.

It prints one metric line per epoch in the seeds' format, e.g.
    {"metric": "loss", "value": 0.41, "epoch": 3}
and saves the model to results/softmax.npz (results/ is shared with the notebook).

    python train_softmax.py [--epochs 30] [--delay 0.3]
"""

import argparse
import json
import os
import time

import numpy as np


def make_data(rng, n=3000, classes=3):
    centers = rng.normal(0, 3, size=(classes, 2))
    y = rng.integers(0, classes, size=n)
    x = centers[y] + rng.normal(0, 1.2, size=(n, 2))
    return x.astype(np.float32), y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--delay", type=float, default=0.3, help="seconds to pause per epoch (to watch it live)")
    args = parser.parse_args()

    rng = np.random.default_rng(1337)
    x, y = make_data(rng)
    split = int(len(x) * 0.8)
    x_train, y_train, x_test, y_test = x[:split], y[:split], x[split:], y[split:]
    classes = int(y.max()) + 1
    w = np.zeros((2, classes), np.float32)
    b = np.zeros(classes, np.float32)
    onehot = np.eye(classes, dtype=np.float32)[y_train]
    print(f"train samples: {len(x_train)}, test samples: {len(x_test)}, classes: {classes}")
    for epoch in range(1, args.epochs + 1):
        logits = x_train @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        loss = float(-np.mean(np.log(p[np.arange(len(y_train)), y_train] + 1e-9)))
        grad = (p - onehot) / len(x_train)
        w -= args.lr * x_train.T @ grad
        b -= args.lr * grad.sum(axis=0)
        accuracy = float(np.mean((x_test @ w + b).argmax(axis=1) == y_test))
        print(json.dumps({"metric": "loss", "value": round(loss, 5), "epoch": epoch}))
        print(json.dumps({"metric": "accuracy", "value": round(accuracy, 5), "epoch": epoch}))
        time.sleep(args.delay)
    os.makedirs("results", exist_ok=True)
    np.savez("results/softmax.npz", w=w, b=b)
    print(f"test accuracy: {accuracy:.4f}; model saved to results/softmax.npz")


if __name__ == "__main__":
    main()
