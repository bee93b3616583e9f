"""Whatever a job prints, the server stays up and charts exactly the metric lines (10,000 random lines)."""

from __future__ import annotations

import random

from helpers import write

from mo_jupyter.jobs.metrics import parse_line


def random_lines(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    shapes = ['{"metric": "m", "value": %s}', '{"metric": "m", "value": 1, "epoch": %s}', "%s",
              '{"metric": %s, "value": 2}', '{"metric": "m", "value": %s, "step": 3.0}']
    atoms = ["1", "-2.5", "NaN", "Infinity", '"x"', "[1, {}]", "true", "null", "{", "}", '"', "\\\\", "\u8bad",
             "1e999", "3.0", "\x00", "\x1b[31m", " " * 3]
    return [rng.choice(shapes) % "".join(rng.choice(atoms) for _ in range(rng.randint(1, 4))) for _ in range(count)]


async def test_ten_thousand_random_lines(api, root):
    lines = random_lines(10_000, seed=20261123)
    write(root, "lines.txt", "\n".join(lines) + "\n")
    write(root, "emit.py", "import sys\nsys.stdout.write(open('lines.txt', encoding='utf-8').read())\n")
    done = await api.wait_state((await api.create({"path": "emit.py"}))["id"], timeout=60)
    assert done["state"] == "completed"
    reply = await api.get(f"jobs/{done['id']}/metrics")
    got = [{k: v for k, v in m.items() if k not in ("time", "seq", "source")} for m in reply.json["metrics"]]
    expected = [m for m in (parse_line(line.encode()).metric for line in lines) if m is not None]
    assert got == expected and len(expected) > 500
    assert (await api.full_log(done["id"])).split("\n")[:-1] == lines
    assert (await api.get("config")).code == 200  # still serving
