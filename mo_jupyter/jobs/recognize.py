"""Metrics recognised in what training frameworks already print (issue 12): charts with no code change.

The supervisor gives each output stream of a job its own ``Recognizer`` and feeds it complete lines
(the final state of a ``\\r`` progress bar: the text after the last ``\\r``). ``may_hold_metrics`` is
a cheap test on a whole chunk so that floods of other output skip the per-line work. Mo's own JSON
metric lines keep priority and never reach this module. Standard library only; nothing is
evaluated: values are read by strict, linear regexes; every line is cut at ``MAX_LINE`` characters.

Each metric is a dict like ``metrics.parse_line``'s: ``{"metric", "value": float, "epoch"?, "step"?,
"source"}``; a non-finite value is ``"value": None, "nonfinite": "NaN" | "Infinity" | "-Infinity"``
(as parse_line writes it: JSON has no NaN).

**Keras** (``model.fit``, verbose 1 and 2, Keras 3 and tf.keras 2): ``Epoch k/N`` sets the pending
epoch ``k`` (1-based, as printed); a line ``n/n ... - name: value - ...`` (the step counter at its
total, or ``n/Unknown`` when the size is unknown) gives one metric per name with ``epoch`` = ``k``
and ends the epoch. Per-step lines (``3/8 ...``: Keras prints them as lines where it cannot redraw,
e.g. a pipe on Windows) and lines with no pending epoch (``model.evaluate`` after ``fit``) give
nothing. Values like ``1.2345e-04``, ``nan`` and ANSI colour codes are handled.

**Hugging Face Trainer** log dicts (``ProgressCallback.on_log`` writes ``str(logs)``): a line that is
a flat Python dict repr with an ``'epoch'`` key or an ``'eval_...'`` key (so a printed config dict is
not taken). Every numeric value except ``epoch`` and ``step`` is a metric, also values written as
strings (``'loss': '3.41'``, newer versions) or ``np.float64(0.5)``. HF's ``epoch`` is fractional
(0.25 of the way through epoch 1), so it is NOT put in the integer ``epoch`` field (that would draw
four points at "epoch 0"); ``step`` is the global step when the dict prints one (``'step': 500``),
otherwise there is no step and the pipeline charts by arrival order.

**PyTorch Lightning**: (1) its tqdm bar ``Epoch 3: 100%|...| 16/16 [..., v_num=0, train_loss=0.295,
val_loss=0.337]``: every ``name=number`` pair except ``v_num``, with ``epoch`` = the printed
number (Lightning counts from 0), only when the bar is at its total (or has none); (2) the
``Test metric / DataLoader 0`` table of ``trainer.test``/``validate`` (plain ``───`` or rich ``┃│``
boxes; with several DataLoader columns a value is named ``name/dataloader_idx_i``); (3) Lightning
1.x's ``DATALOADER:0 TEST RESULTS`` followed by a dict (also pprint's multi-line form).

``may_hold_metrics`` passes every chunk holding a line that gives metrics or arms the state (an
``Epoch k/N`` line, a table or result header), except plain table rows and the lines of a 1.x dict:
after their header ``Recognizer.wants_next`` is true, and the caller feeds the next lines whatever
their chunk (a header and its rows are one ``print``, so this matters only at a chunk's edge).
"""

from __future__ import annotations

import re

MAX_LINE = 64 * 1024
MAX_METRICS = 256  # more pairs than this on one line: not a framework's log line

_NUM = r"[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|NaN|inf|Infinity)"
_NUM_RE = re.compile(_NUM)
_ANSI = re.compile(r"\x1b(?:\[[0-?]{0,32}[ -/]{0,8}[@-~]|\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?|[@-Z\\-_])")
_NAME = r"[A-Za-z_][\w./@-]{0,199}"

_KERAS_EPOCH = re.compile(r"Epoch (\d{1,9})/(\d{1,9})")
_KERAS_LINE = re.compile(r"(\d{1,12})/(\d{1,12}|Unknown)\s")
_KERAS_ITEM = re.compile(r"(" + _NAME + r"): (" + _NUM + r")")

_PL_BAR = re.compile(r"Epoch (\d{1,9}):")
_PL_COUNT = re.compile(r"\|?\s(\d{1,12})/(\d{1,12}) \[")
_PL_PAIR = re.compile(r"[\s,\[](" + _NAME + r")=(" + _NUM + r")(?=[,\]\s]|$)")
_PL_HEADER = re.compile(r"[┃│|]?\s*[A-Z][a-z]{1,20} metric\s*[┃│|]?\s*DataLoader 0\b")
_PL_SEPARATOR = re.compile(r"[─━┏┓┳┡┩╇└┘┴┌┐┬├┤┼═\-=\s]+")
_PL_ROW = re.compile(r"[│┃]?\s*(" + _NAME + r")((?:(?:\s*[│┃])?\s+" + _NUM + r")+)\s*[│┃]?")
_PL_RESULTS = re.compile(r"DATALOADER:\d{1,4} [A-Z]{1,20} RESULTS")

# A flat Python dict repr: 'key': scalar pairs. Every part is delimited, so matching is linear.
_KEY = r"'[^'\\\n]{1,200}'"
_VALUE = r"(?:(?:np\.float\d\d|tensor)\([^()\n]{0,200}\)|'[^'\\\n]{0,200}'|[-+\w.]{1,64})"
_PAIR = _KEY + r": " + _VALUE
_DICT = re.compile(r"\{(?:" + _PAIR + r"(?:, " + _PAIR + r")*)?\}")
_FRAGMENT = re.compile(r"\{?(?:" + _PAIR + r"(?:, " + _PAIR + r")*),?\}?")  # one line of pprint's form
_ITEM = re.compile(r"'([^'\\\n]{1,200})': (" + _VALUE + r")")
_SCALAR = re.compile(r"'?(?:np\.float\d\d\(|tensor\()?(" + _NUM + r")(?:'|\)|, [^()\n]{0,200}\))?")

_NONFINITE = {"nan": "NaN", "NaN": "NaN", "inf": "Infinity", "+inf": "Infinity",
              "Infinity": "Infinity", "+Infinity": "Infinity", "-inf": "-Infinity",
              "-Infinity": "-Infinity", "-nan": "NaN", "+nan": "NaN"}

# Bytes that every recognised format holds (single bytes: memchr speed), then the real markers.
# Table rows and Lightning 1.x result dicts need no marker: their header arms ``wants_next``.
_GATES = (
    (b"/", (b"/step", b"Epoch")),  # Keras epoch lines and 'Epoch k/N'; Lightning's bar ('16/16 [')
    (b"'", (b"'epoch'", b"{'eval_")),  # HF Trainer dicts
    (b"D", (b"DataLoader 0", b"DATALOADER:")),  # Lightning's result table, 1.x result header
)


def may_hold_metrics(chunk: bytes) -> bool:
    """False when no line of ``chunk`` can give metrics or arm a Recognizer (C-speed ``in`` tests;
    single bytes first, so a flood of Mo JSON lines costs four memchr scans)."""
    for gate, markers in _GATES:
        if gate in chunk:
            for marker in markers:
                if marker in chunk:
                    return True
    return False


def _metric(name: str, text: str, source: str) -> dict:
    nonfinite = _NONFINITE.get(text)
    if nonfinite is not None:
        return {"metric": name, "value": None, "nonfinite": nonfinite, "source": source}
    value = float(text)
    if value - value != 0.0:  # '1e999' overflows to inf
        return {"metric": name, "value": None, "nonfinite": _NONFINITE[str(value)], "source": source}
    return {"metric": name, "value": value, "source": source}


def _scalar(raw: str):
    """The number a repr value holds (0.5, '0.5', np.float64(0.5), tensor(0.5)); None for others."""
    m = _SCALAR.fullmatch(raw)
    if m is None or (raw[0] == "'") != raw.endswith("'"):
        return None
    return m.group(1)


class Recognizer:
    """Recognises framework metrics on one output stream of one job; keeps that stream's state."""

    __slots__ = ("_epoch", "_table", "_rows", "_results")

    def __init__(self) -> None:
        self._epoch: int | None = None  # Keras: the pending 'Epoch k/N'
        self._table: int | None = None  # Lightning: inside a result table with this many columns
        self._rows = 0
        self._results = False  # Lightning 1.x: after 'DATALOADER:0 TEST RESULTS', in its dict

    @property
    def wants_next(self) -> bool:
        """True inside a Lightning result table or dict: feed the next lines even if their chunk
        does not pass ``may_hold_metrics``."""
        return self._table is not None or self._results

    def feed(self, line: str) -> list:
        """The metrics one complete output line holds; [] for any other line. Never raises."""
        try:
            return self._feed(line)
        except Exception:  # a recogniser must never break the job's output
            self._table, self._results = None, False
            return []

    def _feed(self, line: str) -> list:
        if len(line) > MAX_LINE:
            line = line[:MAX_LINE]
        if "\x1b" in line:
            line = _ANSI.sub("", line)
        if "\r" in line:  # a '\r\n' line ending is not a redraw
            line = line.rstrip("\r")
            line = line[line.rfind("\r") + 1:]
        if "\b" in line:
            line = line.replace("\b", "")
        s = line.strip()
        if self._table is not None:
            found = self._table_line(s)
            if found is not None:
                return found
        if self._results:
            found = self._results_line(s)
            if found is not None:
                return found
        if not s:
            return []
        first = s[0]
        if first == "{":
            return self._hf(s)
        if first == "E" and s.startswith("Epoch "):
            m = _KERAS_EPOCH.fullmatch(s)
            if m:
                self._epoch = int(m.group(1))
                return []
            return self._lightning_bar(s)
        if first.isdigit():
            return self._keras(s) if self._epoch is not None else []
        if (first in "┃│─-" or "metric" in s) and _PL_HEADER.match(s):
            self._table = s.count("DataLoader ")
            self._rows = 0
        elif first == "D" and _PL_RESULTS.fullmatch(s):
            self._results = True
        return []

    def _keras(self, s: str) -> list:
        m = _KERAS_LINE.match(s)
        if m is None or (m.group(2) != "Unknown" and m.group(1) != m.group(2)):
            return []
        out, seen, epoch = [], set(), self._epoch
        for part in s.split(" - ")[1:]:  # str.split, then a fullmatch per part: C speed
            pair = _KERAS_ITEM.fullmatch(part.rstrip())
            if pair is None:
                continue
            name, text = pair.groups()
            if name in seen:  # an earlier, longer state of the line showing through: keep the first
                continue
            seen.add(name)
            metric = _metric(name, text, "keras")
            metric["epoch"] = epoch
            out.append(metric)
            if len(out) > MAX_METRICS:
                return []
        if out:
            self._epoch = None
        return out

    def _lightning_bar(self, s: str) -> list:
        m = _PL_BAR.match(s)
        if m is None:
            return []
        count = _PL_COUNT.search(s, m.end())
        if count is not None and count.group(1) != count.group(2):
            return []
        epoch = int(m.group(1))
        out = []
        for pair in _PL_PAIR.finditer(s, m.end()):
            if pair.group(1) != "v_num":
                metric = _metric(pair.group(1), pair.group(2), "lightning")
                metric["epoch"] = epoch
                out.append(metric)
                if len(out) > MAX_METRICS:
                    return []
        return out

    def _table_line(self, s: str):
        """A line inside a Lightning result table: its metrics, or None when the table has ended."""
        if not s or _PL_SEPARATOR.fullmatch(s):
            if self._rows or not s:
                self._table = None  # the closing rule (or a blank line) ends the table
            return [] if s else None
        m = _PL_ROW.fullmatch(s)
        if m is None:
            self._table = None
            return None
        self._rows += 1
        values = _NUM_RE.findall(m.group(2))
        name, columns = m.group(1), self._table or 1
        if columns == 1:
            return [_metric(name, values[0], "lightning")] if len(values) == 1 else []
        if len(values) != columns:  # a metric missing in some DataLoader: columns unknown
            return []
        return [_metric(f"{name}/dataloader_idx_{i}", v, "lightning") for i, v in enumerate(values)]

    def _results_line(self, s: str):
        """A line of Lightning 1.x's result dict (one line, or pprint's several): metrics or None."""
        if s.startswith("-") and not s.strip("-"):
            self._results = False
            return []
        if not _FRAGMENT.fullmatch(s):
            self._results = False
            return None
        if s.endswith("}"):
            self._results = False
        return self._pairs(s, "lightning")[0]

    def _hf(self, s: str) -> list:
        if not _DICT.fullmatch(s):
            return []
        out, keys = self._pairs(s, "huggingface")
        if "epoch" not in keys and not any(k.startswith("eval_") for k in keys):
            return []
        return out

    @staticmethod
    def _pairs(s: str, source: str):
        out, keys, step = [], set(), None
        for item in _ITEM.finditer(s):
            key, number = item.group(1), _scalar(item.group(2))
            keys.add(key)
            if len(keys) > MAX_METRICS:
                return [], keys
            if number is None or key == "epoch":
                continue
            if key == "step":
                step = int(number) if number.isdigit() else None
                continue
            out.append(_metric(key, number, source))
        if step is not None:
            for metric in out:
                metric["step"] = step
        return out, keys
