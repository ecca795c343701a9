"""The fast paths of the detector give the same answers as the readable ones they replace
(issue 25's latency work). No timing here: the figures are in bench/README.md."""

import json
import random
import re

import numpy as np
import pytest

from app.services.crisis.detection import model as crisis_model
from app.services.crisis.detection import normalise
from app.services.crisis.detection.features import _encode
from app.services.crisis.detection.training import CORPUS

AWKWARD = [
    "",
    " ",
    "a",
    "i want to die",
    "k1ll mys3lf tonight!!!",
    "je veux mourir, j'ai des cachets",
    "ich will nicht mehr leben",
    "我想死 i want to die 🙃",  # non-ASCII survives normalisation: the slow path
    "x" * 300,
]


def corpus_texts():
    texts = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f if line.strip()]
    return texts


@pytest.fixture(scope="module")
def texts():
    return [normalise(t) for t in corpus_texts() + AWKWARD]


def test_vectorised_ngrams_match_the_piece_by_piece_hash(texts):
    ngrams = crisis_model.current().pipeline.named_steps["ngrams"]
    for text in texts:
        for sizes in ((4, 5), (3, 4, 5)):
            assert ngrams.ngrams(text, sizes) == ngrams._ngrams_slow(_encode(text), sizes), text


def test_ngrams_keep_selects_the_same_pieces(texts):
    model = crisis_model.current()
    ngrams = model.pipeline.named_steps["ngrams"]
    positive = lambda columns: model.coef[columns] > 0  # noqa: E731
    for text in texts:
        slow = [p for p in ngrams._ngrams_slow(_encode(text), (4, 5)) if model.coef[p[1]] > 0]
        assert ngrams.ngrams(text, (4, 5), keep=positive) == slow, text


def test_ngrams_and_columns_agree(texts):
    # the explanation reads the same columns the score sums
    ngrams = crisis_model.current().pipeline.named_steps["ngrams"]
    for text in texts[:300]:
        if not _encode(text).isascii():
            continue
        _, columns = ngrams.columns(text)
        assert sorted(c for _, c, _ in ngrams.ngrams(text)) == sorted(np.asarray(columns).tolist())


def test_the_spaced_escalator_patterns_find_what_the_written_ones_find(texts):
    from app.services.crisis.detection import cssrs

    words = sorted({w for pattern in cssrs.MARKERS.values() for w in re.findall(r"[a-z]{2,}", pattern)})
    rng = random.Random(25)
    samples = list(texts)
    for _ in range(3000):  # marker words in random orders, so every pattern has something to find
        samples.append(normalise(" ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))))
    found = 0
    for text in samples:
        written = [kind for kind, pattern in cssrs._COMPILED.items() if pattern.search(text)]
        assert [kind for kind, pattern in cssrs._SPACED.items() if pattern.search(text)] == written, text
        assert cssrs.markers(text) == written, text
        found += bool(written)
    assert found > 500  # the comparison was not vacuous


def test_escalators_on_text_of_another_shape_use_the_written_patterns():
    from app.services.crisis.detection import cssrs

    # a word right after a line break, or at the very start: a word boundary but no space
    assert cssrs.markers("tonight\nbridge") == ["means", "time"]
    assert cssrs.markers(" x\ntonight ") == ["time"]
    assert cssrs.markers("Tonight ") == []  # upper case is not normalised text: as written


def _columns_reference(ngrams, doc):
    """features.columns as first written (a gather per n-gram size), kept to compare with."""
    from app.services.crisis.detection import features as f

    raw = _encode(doc)
    data = np.frombuffer(raw, dtype=np.uint8)
    with np.errstate(over="ignore"):
        prefix = np.concatenate([[np.uint64(0)], np.cumsum(data.astype(np.uint64) * f._BACK[: len(data)])])

    def substring(start, end):
        with np.errstate(over="ignore"):
            return (prefix[end] - prefix[start]) * f._POWER[end - 1]

    def bucket(hashes, salt):
        with np.errstate(over="ignore"):
            return (((hashes ^ salt) * f._MIX) >> np.uint64(64 - ngrams.bits)).astype(np.int64)

    positions, cols = [], []
    for n in f.CHAR_SIZES:
        begin = np.arange(max(len(data) - n + 1, 0))
        positions.append(begin)
        cols.append(bucket(substring(begin, begin + n), f._SALT[n]))
    edge = np.diff(f._IS_WORD[data].astype(np.int8))
    starts, ends = np.flatnonzero(edge == 1) + 1, np.flatnonzero(edge == -1) + 1
    if len(starts):
        positions += [starts, starts[:-1]]
        cols += [bucket(substring(starts, ends), f._SALT["word"])]
        cols += [bucket(substring(starts[:-1], ends[1:]), f._SALT["pair"])]
    return np.concatenate(positions), np.concatenate(cols)


def _score_reference(model, normalised):
    """model.score as first written: window_columns, then the weights gathered per window."""
    windows, cols = model.pipeline.named_steps["ngrams"].window_columns(normalised, crisis_model.WINDOW_SPAN)
    if not len(cols):
        return 0.0, 0
    sums = np.bincount(windows, weights=model.coef[cols])
    counts = np.bincount(windows)
    raw = sums / np.sqrt(np.maximum(counts, 1)) + model.intercept
    best = int(np.argmax(np.where(counts > 0, raw, -np.inf)))
    return float(crisis_model._sigmoid(raw[best])), best


def test_columns_and_score_match_their_first_versions(texts):
    model = crisis_model.current()
    ngrams = model.pipeline.named_steps["ngrams"]
    long_texts = [normalise(" . ".join(texts[i : i + 60])) for i in range(0, len(texts), 60)]
    for text in texts + long_texts:
        positions, cols = ngrams.columns(text)
        ref_positions, ref_cols = _columns_reference(ngrams, text)
        assert positions.tolist() == ref_positions.tolist() and cols.tolist() == ref_cols.tolist(), text
        value, best = _score_reference(model, text)
        assert crisis_model.score(text, model).score == value, text  # exactly: same sums, same order
