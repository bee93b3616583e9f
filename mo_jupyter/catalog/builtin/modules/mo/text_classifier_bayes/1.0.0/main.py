"""mo/text_classifier_bayes: the platform's preset naive-Bayes text classifier (贝叶斯文本分类), in
NumPy + the standard library. Multinomial naive Bayes over lowercase English words and Chinese
character unigrams + bigrams, so Chinese works without a word segmenter (no jieba).

    from modules.text_classifier_bayes.main import TextClassifierBayes
    model = TextClassifierBayes()
    model.predict({"text": "足球"})                       # the shipped model: {'label': 'sports', ...}
    model.train({"data_path": "datasets/mo-text_zh_en",  # 二次训练: any dir-format dataset
                 "model_save_path": "results/bayes_model.json", "alpha": 0.3})
    model.predict({"text": "It will snow tomorrow"})     # now the newly trained model

Training data (the `dir` format): one sub-folder per class, one sample per .txt file (UTF-8).
"""

import json
import math
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SHIPPED_MODEL = HERE / "results" / "bayes_model.json"
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
STOP_WORDS = frozenset(
    "a an the and or but of to in on at for with is are was were be been it its this that these those "
    "i you he she we they my our your his her their me us them will can could would should may might do "
    "does did have has had not no so as by from into than then there here up out over about after before "
    "under all some any each every very much more most just also only too".split())
STOP_CHARS = frozenset("的了是在和我你他她它们这那有也就都个不很")


def tokenize(text):
    """English (and digits): lowercase words without common stop words, a plural -s dropped.
    Chinese: each character and each pair of neighbours, without the most common function characters."""
    tokens = []
    for run in _TOKEN.findall(str(text).lower()):
        if _CJK.match(run):
            tokens.extend(c for c in run if c not in STOP_CHARS)
            tokens.extend(run[i:i + 2] for i in range(len(run) - 1))
        elif run not in STOP_WORDS:
            tokens.append(run[:-1] if len(run) > 3 and run.endswith("s") and not run.endswith("ss") else run)
    return tokens


def metric(name, value, step=None):
    """One metric line in the Mo format (the job's Metrics tab charts it)."""
    line = {"metric": name, "value": round(float(value), 6)}
    if step is not None:
        line["step"] = int(step)
    print(json.dumps(line), flush=True)


def read_dir_dataset(path):
    """[(text, label)] from a dir-format dataset: <path>/<label>/*.txt (UTF-8, one sample a file)."""
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"no dataset folder at {root.resolve()}")
    samples = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in ("train", "test")
                         and not p.name.startswith(".")):
        for file in sorted(folder.glob("*.txt")):
            samples.append((file.read_text(encoding="utf-8", errors="replace"), folder.name))
    return samples


def read_splits(path, share, seed):
    """(train, test): an independent test set (<path>/test/<label>/, train in <path>/ or
    <path>/train/) when there is one, else a stratified random split keeping `share` for training."""
    root = Path(path)
    if (root / "test").is_dir():
        train = read_dir_dataset(root / "train" if (root / "train").is_dir() else root)
        return train, read_dir_dataset(root / "test")
    samples = read_dir_dataset(root)
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted({label for _, label in samples}):
        group = [s for s in samples if s[1] == label]
        rng.shuffle(group)
        cut = max(1, round(len(group) * share))
        train += group[:cut]
        test += group[cut:]
    return train, test


class _NaiveBayes:
    def __init__(self, classes, doc_counts, token_counts, alpha):
        self.classes, self.doc_counts, self.token_counts, self.alpha = classes, doc_counts, token_counts, alpha
        self.vocab = {tok: i for i, tok in enumerate(sorted(token_counts))}
        counts = np.array([token_counts[t] for t in self.vocab], dtype=float).reshape(-1, len(classes))
        self.log_prior = np.log(np.asarray(doc_counts, dtype=float) / sum(doc_counts))
        self.log_likelihood = np.log(counts + alpha) - np.log(counts.sum(0) + alpha * len(self.vocab))

    @classmethod
    def fit(cls, samples, alpha):
        classes = sorted({label for _, label in samples})
        doc_counts = [0] * len(classes)
        token_counts = {}
        for text, label in samples:
            k = classes.index(label)
            doc_counts[k] += 1
            for tok, n in Counter(tokenize(text)).items():
                token_counts.setdefault(tok, [0] * len(classes))[k] += n
        return cls(classes, doc_counts, token_counts, alpha)

    def proba(self, text):
        ids = [self.vocab[t] for t in tokenize(text) if t in self.vocab]
        scores = self.log_prior + self.log_likelihood[ids].sum(0)
        p = np.exp(scores - scores.max())
        return p / p.sum()

    def to_json(self):
        return {"format": "mo-multinomial-nb/1", "alpha": self.alpha, "classes": self.classes,
                "doc_counts": self.doc_counts, "token_counts": self.token_counts}

    @classmethod
    def from_json(cls, data):
        return cls(data["classes"], data["doc_counts"], data["token_counts"], data["alpha"])


class TextClassifierBayes:
    def __init__(self):
        self.model = None  # set by train(); predict() falls back to the shipped model

    def train(self, conf):
        """Fit on the train share of the dataset (train_ratio, default 0.8), report accuracy on the held-out
        rest, then refit on all samples and save the model (JSON) to model_save_path, relative to the
        current directory. predict() uses the new model from then on."""
        alpha = float(conf.get("alpha", 0.3))
        share = float(conf.get("train_ratio", 0.8))
        if alpha <= 0 or not 0 < share <= 1:
            raise ValueError("alpha must be > 0 and train_ratio in (0, 1]")
        train, test = read_splits(conf.get("data_path", "datasets/mo-text_zh_en"), share, int(conf.get("seed", 0)))
        if len({label for _, label in train}) < 2:
            raise ValueError("the dataset needs at least two class folders with .txt files")
        print(f"{len(train) + len(test)} samples: {len(train)} train, {len(test)} held out", flush=True)

        def evaluate(model, part):
            hits, loss = 0, 0.0
            for text, label in part:
                p = model.proba(text)
                hits += model.classes[int(p.argmax())] == label
                loss -= math.log(max(float(p[model.classes.index(label)]), 1e-12))
            return hits / len(part), loss / len(part)

        model = _NaiveBayes.fit(train, alpha)
        train_accuracy, train_loss = evaluate(model, train)
        metric("train_loss", train_loss)
        metric("train_accuracy", train_accuracy)
        result = {"train_accuracy": train_accuracy, "train_samples": len(train), "test_samples": len(test)}
        if test:
            unseen = [s for s in test if s[1] not in model.classes]
            if unseen:
                raise ValueError(f"train_ratio too small: no training sample of {unseen[0][1]}")
            result["accuracy"], result["loss"] = evaluate(model, test)
            metric("loss", result["loss"])
            metric("accuracy", result["accuracy"])

        self.model = _NaiveBayes.fit(train + test, alpha)
        out = Path(conf.get("model_save_path", "results/bayes_model.json"))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(self.model.to_json(), ensure_ascii=False), encoding="utf-8")
        print(f"saved {out}", flush=True)
        result.update(classes=self.model.classes, vocabulary=len(self.model.vocab), model_path=str(out))
        return result

    def predict(self, conf):
        """conf: {"text": str, "model_path": optional saved model}. Returns the label and the
        probability of each class."""
        if conf.get("model_path"):
            model = self._load(conf["model_path"])
        else:
            model = self.model or self._load(SHIPPED_MODEL)
        p = model.proba(conf.get("text", ""))
        return {"label": model.classes[int(p.argmax())],
                "probabilities": [round(float(v), 4) for v in p], "classes": list(model.classes)}

    @staticmethod
    def _load(path):
        return _NaiveBayes.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
