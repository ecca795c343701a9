"""The learned second opinion: a linear model's crisis score for a (normalised) message.

Loaded once per process, on first use, from the skops artefact committed beside the
corpus (data/model/, written by `flask crisis train`). skops never unpickles: it builds
only the types it is told to trust, and we trust an explicit list, so a tampered file
raises instead of running code.

Scoring does not call the pipeline's predict: it sums the classifier's weights over the
n-grams of each window of the message (features.window_columns), which is the same
linear score for a short message and keeps a 4,000-character one well under a
millisecond. A long message scores as its worst window, so a crisis clause buried in
homework is not diluted.
"""

import json
import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from app.services.crisis.detection.training import ARTEFACT, META

# Every type the artefact may hold beyond skops' own defaults (numpy, scipy, sklearn builtins).
TRUSTED = ["app.services.crisis.detection.features.HashedNgrams"]
WINDOW_SPAN = 40  # windows of 80 bytes (about a clause), overlapping by half
TOP_FEATURES = 5

_lock = threading.Lock()
_loaded = None


class UntrustedModel(RuntimeError):
    pass


@dataclass(frozen=True)
class ModelScore:
    score: float  # probability-like, 0..1
    threshold: float
    window: str = ""  # the part of the message that scored highest, when it fired

    @property
    def fired(self):
        return self.score >= self.threshold

    @cached_property
    def top_features(self):
        """The n-grams that weighed most; worked out only when asked (an alert's trigger),
        not on the decision's path."""
        return explain(self.window) if self.fired and self.window else []

    def as_trigger(self):
        return {"score": round(self.score, 3), "threshold": self.threshold, "top_features": list(self.top_features)}


@dataclass(frozen=True)
class _Model:
    pipeline: object
    coef: np.ndarray
    intercept: float
    threshold: float


def load(path=ARTEFACT, meta_path=META):
    """Read and check an artefact (no caching): refuses any type not in TRUSTED."""
    import skops.io as sio

    untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED)
    if untrusted:
        raise UntrustedModel(f"{path} holds types we do not trust: {sorted(untrusted)}")
    pipeline = sio.load(path, trusted=TRUSTED)
    classifier = pipeline.named_steps["classifier"]
    threshold = json.loads(meta_path.read_text(encoding="utf-8"))["threshold"]
    # float32: half the memory to gather from (a cache matter on a busy machine), same decisions
    coef = classifier.coef_[0].astype(np.float32)
    return _Model(pipeline, coef, float(classifier.intercept_[0]), float(threshold))


def current():
    """The process's model, loaded on first use."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = load()
    return _loaded


def reset():
    """Forget the loaded model (after `flask crisis train` in the same process, and tests)."""
    global _loaded
    _loaded = None


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def score(normalised, model=None):
    """The model's score of an already normalised message, with its top n-grams when it fires."""
    model = model or current()
    ngrams = model.pipeline.named_steps["ngrams"]
    positions, cols = ngrams.columns(normalised)
    if not len(cols):
        return ModelScore(0.0, model.threshold)
    # features.window_columns, with each weight gathered once, not once per window (the
    # gather is the costly part: random reads in a 1 MB table); the same sums in the same order
    weights = model.coef[cols]
    if len(normalised) <= 2 * WINDOW_SPAN:
        windows = np.zeros(len(cols), dtype=np.int64)
    else:
        first = positions // WINDOW_SPAN
        keep = first > 0  # the n-gram is also in the window before (second = first - 1 >= 0)
        windows = np.concatenate([first, first[keep] - 1])
        weights = np.concatenate([weights, weights[keep]])
    sums = np.bincount(windows, weights=weights)
    counts = np.bincount(windows)
    raw = sums / np.sqrt(np.maximum(counts, 1)) + model.intercept
    best = int(np.argmax(np.where(counts > 0, raw, -np.inf)))
    value = float(_sigmoid(raw[best]))
    if value < model.threshold:
        return ModelScore(value, model.threshold)
    start = best * WINDOW_SPAN if len(normalised) > 2 * WINDOW_SPAN else 0
    window = normalised.encode("utf-8")[max(start - 1, 0) : start + 2 * WINDOW_SPAN].decode("utf-8", "ignore")
    return ModelScore(value, model.threshold, window)


def explain(text, model=None, limit=TOP_FEATURES):
    """The n-grams of `text` that pushed its score up most. Words and word pairs read
    better than character pieces, so they come first; 4- and 5-character pieces fill in
    when fewer words weighed (a typo or slang the model knows only by its pieces)."""
    model = model or current()
    weights = {}
    # only the pieces with a positive weight are turned into text (a few dozen of hundreds)
    positive = lambda columns: model.coef[columns] > 0  # noqa: E731
    for piece, column, kind in model.pipeline.named_steps["ngrams"].ngrams(text, sizes=(4, 5), keep=positive):
        piece = piece.strip()
        if len(piece) > 2 and kind in ("word", "pair", 4, 5):
            readable = kind in ("word", "pair")
            weights[piece] = max(weights.get(piece, (0, 0.0)), (readable, float(model.coef[column])))
    top = []
    for piece, _ in sorted(weights.items(), key=lambda kv: (not kv[1][0], -kv[1][1], kv[0])):
        if not any(piece in kept for kept in top):
            top.append(piece)
        if len(top) == limit:
            break
    return top
