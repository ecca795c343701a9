"""Word and character n-grams of normalised text, hashed into a fixed-size sparse vector.

Why not scikit-learn's TfidfVectorizer: it builds every n-gram as a Python string, which
takes 10-20 ms on a 4,000-character message; the detector's budget is 2 ms for rules and
model together. Here every n-gram is a substring hash computed with numpy over the whole
text at once (prefix sums of a polynomial hash, modulo 2**64). Hashing also keeps the
artefact small and needs no vocabulary.

Features: word unigrams and bigrams, and character 3-, 4- and 5-grams (they survive typos,
slang and stretched letters). A row's value for a column is count / sqrt(n-grams in the
row): close to unit length, and a linear score is then a plain sum of weights, which
`window_columns` lets the scorer compute without building a matrix.
The input is already normalised (detection.normalise): the caller normalises once for the
rules and the model.
"""

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.base import BaseEstimator, TransformerMixin

_P = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SALT = {"word": np.uint64(0x51ED27), "pair": np.uint64(0xB16B00B5), 3: np.uint64(3), 4: np.uint64(4), 5: np.uint64(5)}
CHAR_SIZES = (3, 4, 5)
_P_INT, _MASK = int(_P), 2**64 - 1
MAX_BYTES = 1 << 15
# bytes that make words: a-z, digits, and any byte of a multi-byte (non-ASCII) letter
_IS_WORD = np.zeros(256, dtype=bool)
_IS_WORD[ord("a") : ord("z") + 1] = _IS_WORD[ord("0") : ord("9") + 1] = _IS_WORD[0x80:] = True


def _powers(n):
    """P**i and P**-i modulo 2**64 (P is odd, so it has an inverse), i < n."""
    inverse = np.uint64(pow(int(_P), -1, 2**64))
    with np.errstate(over="ignore"):
        power = np.cumprod(np.concatenate([[np.uint64(1)], np.full(n - 1, _P, dtype=np.uint64)]))
        back = np.cumprod(np.concatenate([[np.uint64(1)], np.full(n - 1, inverse, dtype=np.uint64)]))
    return power, back


_POWER, _BACK = _powers(MAX_BYTES + 2)
_ARANGE = np.arange(MAX_BYTES + 1)


def _encode(doc):
    return (" " + doc.strip() + " ").encode("utf-8")[:MAX_BYTES]


def _substrings(raw):
    """The bytes of `raw` as an array, and a vectorised hash of raw[start:end] (prefix sums of
    a polynomial hash: the same value as hashing the piece byte by byte)."""
    data = np.frombuffer(raw, dtype=np.uint8)
    wide = data.astype(np.uint64)
    # modulo 2**64: numpy's array arithmetic wraps silently (no errstate needed, ~3 us each)
    prefix = np.zeros(len(wide) + 1, dtype=np.uint64)
    np.cumsum(wide * _BACK[: len(wide)], out=prefix[1:])

    def substring(start, end):
        return (prefix[end] - prefix[start]) * _POWER[end - 1]

    substring.prefix = prefix
    return data, substring


def _word_spans(data):
    """(starts, ends) of the words (runs of word bytes) in `data`."""
    edge = np.diff(_IS_WORD[data].astype(np.int8))
    return np.flatnonzero(edge == 1) + 1, np.flatnonzero(edge == -1) + 1


class HashedNgrams(TransformerMixin, BaseEstimator):
    """Stateless: fit learns nothing, so training and scoring see the same columns."""

    def __init__(self, bits=18):
        self.bits = bits

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        rows, cols, vals = [], [], []
        for i, doc in enumerate(X):
            _, c = self.columns(doc)
            rows.append(np.full(len(c), i, dtype=np.int64))
            cols.append(c)
            vals.append(np.full(len(c), 1.0 / np.sqrt(max(len(c), 1))))
        matrix = csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(len(X), 1 << self.bits)
        )
        matrix.sum_duplicates()
        return matrix

    def _bucket(self, hashes, salt):
        """Columns of `hashes` (overwritten: every caller passes a fresh array)."""
        np.bitwise_xor(hashes, salt, out=hashes)
        np.multiply(hashes, _MIX, out=hashes)  # modulo 2**64: array arithmetic wraps silently
        np.right_shift(hashes, np.uint64(64 - self.bits), out=hashes)
        return hashes.view(np.int64)  # below 2**bits: the same numbers

    def columns(self, doc):
        """(position, column) of every n-gram of `doc`, positions in its UTF-8 bytes."""
        data, substring = _substrings(_encode(doc))
        prefix = substring.prefix
        positions, cols = [], []
        for n in CHAR_SIZES:
            # substring(begin, begin + n) for every begin, with slices (views) for gathers
            count = max(len(data) - n + 1, 0)
            hashes = prefix[n : n + count] - prefix[:count]  # array arithmetic wraps silently
            np.multiply(hashes, _POWER[n - 1 : n - 1 + count], out=hashes)
            positions.append(_ARANGE[:count])
            cols.append(self._bucket(hashes, _SALT[n]))
        starts, ends = _word_spans(data)
        if len(starts):
            positions.append(starts)
            cols.append(self._bucket(substring(starts, ends), _SALT["word"]))
            positions.append(starts[:-1])
            cols.append(self._bucket(substring(starts[:-1], ends[1:]), _SALT["pair"]))
        return np.concatenate(positions), np.concatenate(cols)

    def window_columns(self, doc, span):
        """(window, column) of every n-gram, in windows of 2*span bytes overlapping by half:
        a crisis clause in the middle of a long homework message is scored on its own
        neighbourhood, not diluted by the whole message. A short doc is one window."""
        positions, cols = self.columns(doc)
        if len(doc) <= 2 * span:
            return np.zeros(len(cols), dtype=np.int64), cols
        first = positions // span
        second = first - 1
        keep = second >= 0
        return np.concatenate([first, second[keep]]), np.concatenate([cols, cols[keep]])

    def ngrams(self, doc, sizes=CHAR_SIZES, keep=None):
        """[(n-gram as text, column, kind)] of `doc`, character pieces of `sizes` only: the same
        columns, readable, to explain a score. `keep(columns)` (a boolean mask), when given,
        selects the pieces worth turning into text (explain wants the positive weights only)."""
        raw = _encode(doc)
        if not raw.isascii():
            # a piece may cut a multi-byte letter; it is hashed as its decoded text, as before
            out = self._ngrams_slow(raw, sizes)
            if keep is None or not out:
                return out
            mask = keep(np.array([column for _, column, _ in out], dtype=np.int64))
            return [piece for piece, kept in zip(out, mask.tolist(), strict=True) if kept]
        # ASCII: every piece is its own text, so its column is the vectorised hash `columns` uses
        data, substring = _substrings(raw)
        starts, ends = _word_spans(data)
        kinds = [("word", starts, ends), ("pair", starts[:-1], ends[1:])]
        for n in sizes:
            begin = np.arange(max(len(data) - n + 1, 0))
            kinds.append((n, begin, begin + n))
        out = []
        for kind, begin, end in kinds:
            if not len(begin):
                continue
            columns = self._bucket(substring(begin, end), _SALT[kind])
            if keep is not None:
                mask = keep(columns)
                begin, end, columns = begin[mask], end[mask], columns[mask]
            out += [
                (raw[b:e].decode("ascii"), c, kind)
                for b, e, c in zip(begin.tolist(), end.tolist(), columns.tolist(), strict=True)
            ]
        return out

    def _ngrams_slow(self, raw, sizes):
        """`ngrams` one piece at a time in Python (non-ASCII text: a piece that cuts a letter
        in two reads, and hashes, as its replacement character)."""
        word = _IS_WORD[np.frombuffer(raw, dtype=np.uint8)]
        edge = np.diff(word.astype(np.int8))
        spans = list(zip(np.flatnonzero(edge == 1) + 1, np.flatnonzero(edge == -1) + 1, strict=True))
        text = lambda start, end: raw[start:end].decode("utf-8", "replace")  # noqa: E731
        pieces = [(text(s, e), "word") for s, e in spans]
        pieces += [(text(a[0], b[1]), "pair") for a, b in zip(spans, spans[1:], strict=False)]
        pieces += [(raw[i : i + n].decode("utf-8", "replace"), n) for n in sizes for i in range(len(raw) - n + 1)]
        hashes = []
        for piece, _ in pieces:
            h = 0
            for byte in piece.encode("utf-8"):
                h = (h * _P_INT + byte) & _MASK
            hashes.append(h)
        # one vectorised bucket call per kind, not one per piece
        out = [None] * len(pieces)
        for kind in {k for _, k in pieces}:
            at = [i for i, (_, k) in enumerate(pieces) if k == kind]
            columns = self._bucket(np.array([hashes[i] for i in at], dtype=np.uint64), _SALT[kind])
            for i, column in zip(at, columns.tolist(), strict=True):
                out[i] = (pieces[i][0], column, kind)
        return out
