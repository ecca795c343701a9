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
