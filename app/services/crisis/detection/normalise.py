"""Text normalisation before matching: one canonical spelling for the many ways students write.

Why each step exists (the order matters):

1. Lone surrogates, NUL and control characters become spaces, and invisible characters
   (zero-width joiners, soft hyphens, right-to-left marks) are dropped, so "k\u200bill"
   reads "kill" and no input can raise.
2. NFKC, then case folding: full-width "ｋｉｌｌ" and styled letters become plain "kill".
3. Accents are folded ("é" -> "e", "ü" -> "u"), so the data files are written without them.
4. Homoglyphs: Cyrillic and Greek look-alikes and small capitals become the Latin letter
   they imitate ("ѕuісіdе" -> "suicide"). Pulse's students write Latin-script languages,
   so folding every Cyrillic/Greek letter costs nothing we match on.
5. Sentence ends (".", "!", "?", ";", a line break) become a break that pattern gaps do not
   cross, so "I want to sleep. Kill the server" does not join across sentences. An
   ellipsis is a pause, not a break: "i want to... end it" still reads as one thought.
6. Leetspeak, only in a token where a digit or symbol touches a letter ("k1ll", "mys3lf",
   "d!e"): a number on its own ("room 101", "3 pills", "7:30") is never rewritten. A lone
   "2" reads "to" ("want 2 die").
7. Contractions and casual spellings: "don't"/"dont" -> "do not", "i'm"/"im" -> "i am",
   "can't"/"cant"/"cannot" -> "can not", "gonna" -> "going to", "ima" -> "i am going to".
   French elisions split ("j'ai" -> "j ai"); other apostrophes join ("mom's" -> "moms").
   A dropped final g reads as the "-ing" word the data files use ("cuttin" -> "cutting").
8. Stretched words: each run of three or more of one letter becomes one or two letters,
   whichever spells a word the data files use ("diiiie" -> "die", "kiiiilll" -> "kill",
   "sooo" -> "so"); a word they do not use keeps two ("pleeease" -> "pleease").

Word forms (die/dies/died/dying, kill/killed/killing...) are not stemmed here: the data
files list them in readable word groups, which a clinician can check.

Speed: steps 5 to 8 run as a few whole-text passes in C (`_render_fast`); `_render` does
the same one token at a time and stays as the readable reference the tests compare with.
"""

import re
import unicodedata
from itertools import product

from app.services.crisis.detection.casual import WORDS

# Lone surrogates (they cannot even be encoded) and invisible characters (zero-width
# joiners, soft hyphens, direction marks) are dropped: "k\u200bill" reads "kill".
_HIDDEN = re.compile(
    "[\ud800-\udfff\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\u3164\ufeff]"
)
_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# Emoji and other symbols go early, in C, so 4,000 characters of them cost next to nothing.
# Kept: letters and digits of any script, the sentence ends, apostrophes, the leet symbols.
_SYMBOLS = re.compile(r"[^\w\s'’‘`´ʼ′.!?;\u2026@$|]+")
# typographic punctuation, read before symbols are dropped; full-width forms ("！", "ｋ")
# go through NFKC first
_TYPOGRAPHIC = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"), ("\u2014", "-"))
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")
# the same as _SYMBOLS for characters outside ASCII only: ASCII punctuation is left to the
# render step, so this pass tests Unicode categories only where there is something to test
_SYMBOLS_NON_ASCII = re.compile(r"[^\x00-\x7f\w\s’‘´ʼ′\u2026]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Look-alikes that NFKC leaves alone, after case folding (so lower case only).
_HOMOGLYPHS = str.maketrans(
    # Cyrillic
    "авгекмнорстухьіјѕԁԛԝӏүһ"
    # Greek
    "αβγεηικμνορτυχω"
    # small capitals and IPA letters
    "ᴀʙᴄᴅᴇɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢıɑɩɡ"
    # apostrophe look-alikes
    "’‘`´ʼ′",
    "abrekmhopctyxbijsdqwlyhabyenikuvoptuxwabcdeghijklmnoprstuvwyziaig''''''",
)
_SENTENCE_ENDS = ".!?;\u2026"
_LEET = str.maketrans("013457@$!|", "oieastasil")
_HAS_LEET = re.compile(r"[013457@$!|]")
_HAS_LETTER = re.compile(r"[a-z]")
_APOSTROPHE_TOKEN = re.compile(r"(?<![a-z])[a-z]*'[a-z]*")
_ELISIONS = {"j", "l", "m", "t", "s", "d", "n", "c", "qu"}  # French: j'ai -> j ai
_NT_STEMS = {"ca": "can", "wo": "will", "ai": "am", "sha": "shall"}  # can't, won't, ain't, shan't
_CLITICS = {"re": "are", "ve": "have", "ll": "will", "d": "would"}
_IS = {"he", "she", "it", "that", "what", "there", "who", "everyone", "nobody"}
_NON_WORD = re.compile(r"[^a-z0-9\n]+")
_RUN3 = re.compile(r"([a-z])\1{2,}")
_TRIPLES = [chr(c) * 3 for c in range(ord("a"), ord("z") + 1)]

# The words the data files spell out; filled by the package when it loads them.
VOCABULARY = set()

_WORDS = dict(WORDS)  # a copy: add_dropped_g extends it once the data files are read
VOCABULARY.update(_WORDS)  # "gonnaaa" -> "gonna" -> "going to"


def add_dropped_g(vocabulary):
    """Read a dropped final g ("cuttin", "killin", "dyin") as the "-ing" word the data files
    use. Only words the data files spell out get this, so "thin" never becomes "thing"."""
    for word in vocabulary:
        if word.endswith("ing") and word.isalpha() and len(word) >= 5 and word[:-1] not in _WORDS:
            _WORDS[word[:-1]] = word
    VOCABULARY.update(_WORDS)


def _clean(text):
    """Steps 1 to 4, plus line breaks turned into a sentence end (" . "). ASCII text (most
    messages) skips the Unicode steps; each step runs in C (regex, normalize, translate)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text.replace("\n", " . ").replace("\t", " ")
    if not text.isascii():
        # Full-width letters and punctuation (NFKC), typographic quotes and dashes, then
        # emoji and symbols go first, in C: a message whose only non-ASCII characters they
        # were skips the Unicode steps below. (str.replace, not str.translate with a table:
        # translate looks every character up in a dict, slow on 4,000 characters.)
        text = _HIDDEN.sub("", text)
        if _FULL_WIDTH.search(text):
            text = unicodedata.normalize("NFKC", text)
        for typographic, plain in _TYPOGRAPHIC:
            if typographic in text:
                text = text.replace(typographic, plain)
        text = _SYMBOLS_NON_ASCII.sub(" ", text)
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
    if not text.isprintable():
        text = _CONTROLS.sub(" ", text)
    if text.isascii():
        return text.lower()
    text = _SYMBOLS.sub(" ", text.casefold())
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        if not text.isascii():
            text = text.translate(_HOMOGLYPHS)
    return text


def _apostrophe(match):
    token = match.group()
    head, _, tail = token.partition("'")
    if head in _ELISIONS and tail:
        return head + " " + tail
    if tail == "t" and head.endswith("n"):
        return _NT_STEMS.get(head[:-1], head[:-1]) + " not"
    if token == "i'm":
        return "i am"
    if tail in _CLITICS:
        return head + " " + _CLITICS[tail]
    if tail == "s" and head in _IS:
        return head + " is"
    return head + tail


def _join_slashed(text):
    """Single letters around a slash read as one word: "s/h" (self-harm) -> "sh"."""
    return _SLASHED.sub(r"\1\2", text) if "/" in text else text


def _render(text, stretched=frozenset()):
    """Steps 5 to 7, one whitespace-separated token at a time. Most tokens are plain words
    and take the fast path; punctuation, digits and apostrophes take the slow one."""
    text = _join_slashed(text)
    out = []
    for token in text.split():
        if token.isalpha() and token.isascii():
            if stretched and token in stretched:
                token = destretch(token)
            out.append(_WORDS.get(token, token))
            continue
        core = token.rstrip(_SENTENCE_ENDS)
        end = token[len(core) :]
        if core:
            if core not in _WORDS and _LEETY.search(core):
                core = core.translate(_LEET)
            if "'" in core:
                core = _APOSTROPHE_TOKEN.sub(_apostrophe, core)
            for word in _NON_WORD.sub(" ", core).split():
                if stretched and token in stretched and _RUN3.search(word):
                    word = destretch(word)
                out.append(_WORDS.get(word, word))
        # a sentence ends here, unless this is an ellipsis (a pause: "i want to... end it")
        if end and (end == "." or end.strip(".\u2026")) and out and out[-1] != "\n":
            out.append("\n")
    while out and out[-1] == "\n":
        out.pop()
    return " " + " ".join(out) + " "


# Whole-text passes for `_render_fast`. Each regex starts with a character or a character
# set, which C skips to directly, so a 4,000-character message costs a few passes in C
# instead of a Python step per word. A sentence break is carried as "\x01" (not
# whitespace, and `_clean` leaves no control character) until the words are joined.
_END_ONE = re.compile(r"\.(?=\s|$)(?<![.\u2026!?;]\.)")  # a token ending in exactly one "."
_END_MARK = re.compile(r"[!?;][.!?;\u2026]*(?=\s|$)")  # ... or in a run holding ! ? or ;
# a leet character next to a letter ("k1ll", "d!e"); a number on its own never changes
_LEETY = re.compile(r"[0-9@$!|](?:(?<=[a-z][0-9@$!|])|(?=[a-z]))")
_SLASHED = re.compile(r"(?<![a-z0-9])([a-z])/([a-z])(?![a-z0-9])")
_BREAKS = re.compile(r"\n(?: \n)+")
# every character but a-z, 0-9, the apostrophe and the break marker becomes a space
_TO_SPACE = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum() and c not in "'\x01"})
_NON_WORD_KEEP = re.compile(r"[^a-z0-9'\x01]+")
_DONE = {}  # a word with an apostrophe, or a leet token -> how it reads ("i'm" -> "i am")


def _remember(key, value):
    if len(_DONE) < 8192:  # "i'm", "don't", "it's" come back all the time
        _DONE[key] = value
    return value


def _leet_token(token):
    done = _DONE.get(token)
    if done is None:
        done = token
        if token not in _WORDS:
            done = token.translate(_LEET)
        done = _remember(token, done)
    return done


def _apostrophe_word(word):
    done = _DONE.get(word)
    if done is None:
        parts = _NON_WORD.sub(" ", _APOSTROPHE_TOKEN.sub(_apostrophe, word)).split()
        done = _remember(word, " ".join(_WORDS.get(part, part) for part in parts))
    return done


def _render_fast(text, stretched=None):
    """Steps 5 to 8 as whole-text passes; the same output as `_render`, which reads one token
    at a time and stays as the reference (tests compare the two). `stretched` None: found
    among the distinct words."""
    text = _END_MARK.sub(" \x01 ", _END_ONE.sub(" \x01 ", _join_slashed(text)))
    if _LEETY.search(text):  # rare: rewrite just those tokens
        pieces, last = [], 0
        for match in _LEETY.finditer(text):
            if match.start() < last:
                continue  # inside a token already rewritten
            start = text.rfind(" ", 0, match.start()) + 1
            end = text.find(" ", match.start())
            end = len(text) if end < 0 else end
            pieces += (text[last:start], _leet_token(text[start:end]))
            last = end
        text = "".join(pieces) + text[last:]
    words = (text.translate(_TO_SPACE) if text.isascii() else _NON_WORD_KEEP.sub(" ", text)).split()
    distinct = set(words)
    unknown = distinct - VOCABULARY  # a stretched word is never one the data files spell out
    if stretched is None:
        stretched = _RUN3.search(" ".join(unknown)) is not None
    if stretched:
        runs = {word: destretch(word) for word in unknown if _RUN3.search(word)}
        words = list(map(runs.get, words, words))  # runs.get(word, word), looped in C
        distinct = set(words)
    table = _WORDS
    if "'" in text:
        table = {**_WORDS, **{word: _apostrophe_word(word) for word in distinct if "'" in word}}
    words = list(map(table.get, words, words))  # table.get(word, word), looped in C
    if "" in words:  # a word that read as nothing ("'" alone)
        words = list(filter(None, words))
    text = " ".join(words)
    if "\x01" in text:
        text = _BREAKS.sub("\n", text.replace("\x01", "\n"))
        if text.startswith("\n"):
            text = text[1:].lstrip(" ")
        if text.endswith("\n"):
            text = text[:-1].rstrip(" ")
    return " " + text + " " if text else "  "


def _stretched(text):
    """The whitespace-separated tokens with a letter written three times in a row. Found
    with 26 substring searches in C, so ordinary text pays no per-word check."""
    tokens = set()
    for triple in _TRIPLES:
        at = text.find(triple)
        while at >= 0:
            start = max(text.rfind(" ", 0, at), text.rfind("\t", 0, at)) + 1
            end = text.find(" ", at)
            tokens.add(text[start : end if end >= 0 else len(text)])
            at = text.find(triple, at + 3)
    return tokens


def destretch(word):
    """The spelling of a stretched word that VOCABULARY knows: every run of 3+ letters
    tried as one and as two letters (at most 4 runs, so at most 16 tries)."""
    parts = _RUN3.split(word)
    pieces, letters = parts[0::2], parts[1::2]
    if len(letters) <= 4:
        for counts in product((1, 2), repeat=len(letters)):
            candidate = pieces[0] + "".join(c * n + p for c, n, p in zip(letters, counts, pieces[1:], strict=True))
            if candidate in VOCABULARY:
                return candidate
    return _RUN3.sub(r"\1\1", word)


def clean(text):
    """Steps 1 to 4 only (see `_clean`): the text `render` expects."""
    return _clean(text)


def render(text):
    """Steps 5 to 8 on text from `clean`."""
    return _render_fast(text, None)


def normalise(text):
    """The canonical form: words of [a-z0-9] separated by one space, sentence breaks as "\n",
    with a space at each end, so a phrase matches on word boundaries as " kill myself "."""
    return render(_clean(text))
