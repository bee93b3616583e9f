"""Format checks for a dataset's files (seed 003: `dir` = one folder per class, and so on). A check
returns every problem it finds; an empty list means the dataset may go online. Files are only read
(zip directories, CSV headers, JSON syntax), never executed or unpickled."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

META_FILES = {"dataset.yml", "README.md", "README.txt", "LICENSE"}
MAX_JSON_CHECK = 64 * 1024 * 1024
MAX_LISTED = 5


def _data_entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name not in META_FILES and not p.name.startswith("."))


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _names(paths, folder: Path) -> str:
    shown = [p.relative_to(folder).as_posix() for p in paths[:MAX_LISTED]]
    more = f" and {len(paths) - MAX_LISTED} more" if len(paths) > MAX_LISTED else ""
    return ", ".join(shown) + more


def _check_dir_split(folder: Path, base: Path, label: str) -> list[str]:
    if not folder.is_dir():
        return [f"{label}: the folder is missing"]
    entries = _data_entries(folder)
    classes = [p for p in entries if p.is_dir()]
    loose = [p for p in entries if not p.is_dir()]
    problems = []
    if loose:
        problems.append(f"{label}: files outside a class folder: {_names(loose, base)} (format dir = one folder per class)")
    if len(classes) < 2:
        problems.append(f"{label}: {len(classes)} class folder(s); format dir needs one folder per class, at least 2")
    empty = [c for c in classes if not any(f.is_file() for f in c.rglob("*"))]
    if empty:
        problems.append(f"{label}: empty class folder(s): {_names(empty, base)}")
    return problems


def check_dir(folder: Path, meta: dict) -> list[str]:
    if meta.get("test_set") == "independent":
        return _check_dir_split(folder / "train", folder, "train/") + _check_dir_split(folder / "test", folder, "test/")
    return _check_dir_split(folder, folder, "dataset")


def check_npz(folder: Path, meta: dict) -> list[str]:
    files = _files(folder, (".npz",))
    if not files:
        return ["no .npz file (format npz)"]
    problems = []
    for path in files:
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, OSError):
            problems.append(f"{path.relative_to(folder).as_posix()}: not a valid .npz (zip of .npy arrays)")
            continue
        if not names or not all(n.endswith(".npy") for n in names):
            problems.append(f"{path.relative_to(folder).as_posix()}: holds no arrays or non-.npy members")
    return problems


def check_csv(folder: Path, meta: dict) -> list[str]:
    files = _files(folder, (".csv",))
    if not files:
        return ["no .csv file (format csv)"]
    problems = []
    for path in files:
        rel = path.relative_to(folder).as_posix()
        try:
            with open(path, newline="", encoding="utf-8") as f:
                rows = csv.reader(f)
                header = next(rows, None)
                if not header or len(header) < 2:
                    problems.append(f"{rel}: needs a header row with at least 2 columns")
                    continue
                for i, row in enumerate(rows, start=2):
                    if row and len(row) != len(header):
                        problems.append(f"{rel} line {i}: {len(row)} columns, the header has {len(header)}")
                        break
                    if i > 10_000:
                        break
        except UnicodeDecodeError:
            problems.append(f"{rel}: not UTF-8 text")
        except csv.Error as exc:
            problems.append(f"{rel}: {exc}")
    return problems


def check_json(folder: Path, meta: dict) -> list[str]:
    files = _files(folder, (".json", ".jsonl"))
    if not files:
        return ["no .json file (format json)"]
    problems = []
    for path in files:
        rel = path.relative_to(folder).as_posix()
        if path.stat().st_size > MAX_JSON_CHECK:
            continue
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix.lower() == ".jsonl":
                for line in filter(str.strip, text.splitlines()):
                    json.loads(line)
            else:
                json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{rel}: not valid JSON ({exc})")
    return problems


def check_single_text(folder: Path, meta: dict) -> list[str]:
    return [] if _files(folder, (".txt", ".text", ".tsv")) else ["no .txt file (format single_text)"]


def check_brat(folder: Path, meta: dict) -> list[str]:
    anns = _files(folder, (".ann",))
    if not anns:
        return ["no .ann file (format brat_ann: .txt + .ann pairs)"]
    lonely = [a for a in anns if not a.with_suffix(".txt").is_file()]
    return [f".ann without its .txt: {_names(lonely, folder)}"] if lonely else []


CHECKS = {"dir": check_dir, "npz": check_npz, "csv": check_csv, "json": check_json,
          "single_text": check_single_text, "brat_ann": check_brat}


def check_dataset(folder: Path, meta: dict) -> list[str]:
    if not folder.is_dir() or not _data_entries(folder):
        return ["the dataset has no files yet: upload an archive"]
    return CHECKS[meta["format"]](folder, meta)
