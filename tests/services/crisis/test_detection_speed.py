"""The fast paths of the detector give the same answers as the readable ones they replace
(issue 25's latency work). No timing here: the figures are in bench/README.md."""

import json

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
