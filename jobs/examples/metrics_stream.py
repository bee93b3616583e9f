"""Prints metric lines fast, for watching the charts move: loss, accuracy, a learning rate by step.

    python metrics_stream.py [--steps 600] [--rate 50]   (rate: steps per second)
"""

import argparse
import json
import math
import random
import time

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=600)
parser.add_argument("--rate", type=float, default=50.0)
args = parser.parse_args()

random.seed(7)
for step in range(1, args.steps + 1):
    loss = 2.5 * math.exp(-step / 150) + random.uniform(0, 0.08)
    print(json.dumps({"metric": "loss", "value": round(loss, 4), "step": step}))
    if step % 10 == 0:
        print(json.dumps({"metric": "accuracy", "value": round(1 - loss / 2.6, 4), "step": step}))
        print(json.dumps({"metric": "lr", "value": 0.1 * 0.99 ** (step // 10), "step": step}))
    if step % 100 == 0:
        print(f"step {step}/{args.steps}")
    time.sleep(1 / args.rate)
print(json.dumps({"metric": "status", "value": "done"}))
