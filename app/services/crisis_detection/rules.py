"""Loads the data files and compiles them into rules; `Rules.scan` runs them on normalised text.

Why not one big alternation per language: Python's `re` tries an alternation's branches
one after another at every position, which measured ~40 ms for 300 branches over a
4,000-character message. Instead every pattern gets an *anchor*: its most distinctive
word ("die", "pills", "myself"...). A dictionary maps anchor words to patterns, so a
message only runs the patterns whose anchor it contains, and only on the few words
around each occurrence of its anchor (a window as wide as the pattern can reach).
Ordinary text without any anchor costs one pass of dictionary look-ups. Everything is
compiled once, at import.

Pattern syntax (documented for clinicians at the top of each data file):
  words           those words, in that order, whole words
  (a|b c)         one of the alternatives (each one or more words)
  {group}         one of the words or phrases of [groups] `group`
  x?              x is optional
  pref*           a word starting with `pref` ("suicid*": suicide, suicidal)
  ...             up to four words in between, within one sentence
  #               a number
  <end>           the end of a sentence or of the message
"""

import re
import tomllib
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

DATA = Path(__file__).with_name("data")
LANGUAGES = ("en", "es", "fr", "pt", "de")
GAP_WORDS = 4
# Words too common to choose as anchors: a window around every "i" would be the whole text.
_STOP = set(
    "i me my to a the and it of so just am is be do not want going have will would can you he she they we"
    " that this in on at for all been was were no if or but yo je ich eu de la le que en um mich mir o e y se"
    " te el lo mi ma mon meu minha und zu das die der ne pas nao ja es et ce j m".split()
)
_TOKEN = re.compile(r"\([^()]*\)\??|\S+")
_GROUP = re.compile(r"\{\w+\}")


@dataclass(frozen=True)
class Rule:
    category: str  # a category key, or "quiet" for a suppressor
    strong: bool  # strong rules are never suppressed
    source: str  # the pattern as written, for error messages
    regex: re.Pattern
    before: int  # the most words a match can start before its anchor word
    after: int  # the most words a match can end after its anchor word


def _tokens(pattern):
    return _TOKEN.findall(pattern.strip())


def _alternatives(token, groups):
    """The word sequences a token stands for, or None for `...`, `#` and `<end>`."""
    token = token.rstrip("?")
    if token.startswith("{") and token.endswith("}"):
        name = token[1:-1]
        if name not in groups:
            raise ValueError(f"unknown group {token}")
        return groups[name]
    if token.startswith("("):
        return [alt.strip() for alt in token[1:-1].split("|")]
    if token in ("...", "#", "<end>"):
        return None
    return [token]


def _alt_regex(alt, groups, fold):
    """One alternative (words, {group} references, `<end>`), each word followed by its space."""
    if alt == "<end>":
        return r"(?=\n|$)"
    parts = []
    for word in alt.split():
        if word.startswith("{"):
            if not _GROUP.fullmatch(word):
                raise ValueError(f"bad group reference {word!r} (nested parentheses are not supported)")
            parts.append("(?:" + "|".join(_alt_regex(a, groups, fold) for a in _alternatives(word, groups)) + ")")
        elif word.endswith("*"):
            parts.append(re.escape(fold(word[:-1])) + r"\S* ")
        else:
            parts.append(re.escape(fold(word)) + " ")
    return "".join(parts)


def _token_regex(token, groups, fold):
    if token == "...":
        return r"(?:\S+ ){0," + str(GAP_WORDS) + "}"
    if token == "#":
        return r"[0-9]+ "
    alts = _alternatives(token, groups) if token != "<end>" else ["<end>"]
    regex = "(?:" + "|".join(_alt_regex(alt, groups, fold) for alt in alts) + ")"
    return regex + "?" if token.endswith("?") else regex


def _best_words(alt, groups):
    """The anchor candidates of one alternative: its most distinctive word (a group: each entry's)."""
    options = []
    for word in alt.split():
        if _GROUP.fullmatch(word):
            words = set().union(*(_best_words(a, groups) for a in _alternatives(word, groups)))
        else:
            words = {word}
        options.append((_score(words), words))
    return max(options, key=lambda option: option[0])[1]


def _score(words):
    """Prefer words that are not common, then long ones, then few of them."""
    return (not (words & _STOP), min(len(w.rstrip("*")) for w in words), -len(words))


def _anchor(tokens, groups):
    """The anchor words of the pattern's most distinctive required token, and its index."""
    best, at = None, None
    for k, token in enumerate(tokens):
        alts = None if token.endswith("?") or token == "<end>" else _alternatives(token, groups)
        if not alts or "<end>" in alts:
            continue
        words = set().union(*(_best_words(alt, groups) for alt in alts))
        if best is None or _score(words) > _score(best):
            best, at = words, k
    if best is None:
        raise ValueError("a pattern needs at least one required word")
    return best, at


def _span(tokens, groups):
    """The most words these tokens can cover: the window around an anchor must hold them."""
    total = 0
    for token in tokens:
        alts = _alternatives(token, groups)
        # a {group} inside an alternative counts generously: 3 words
        if token == "...":
            total += GAP_WORDS
        else:
            total += 1 if alts is None else max(len(a.split()) + 2 * a.count("{") for a in alts)
    return total


class Rules:
    """The compiled rules of all languages, plain and squeezed (see normalise.variants)."""

    def __init__(self, fold=lambda w: w):
        self.rules = []
        self.by_word = {}  # anchor word -> rule indexes
        self.by_prefix = {}  # anchor prefix (from "suicid*") -> rule indexes
        self.fold = fold
        for lang in LANGUAGES:
            self._load(tomllib.loads((DATA / f"{lang}.toml").read_text(encoding="utf-8")), lang)
        self.prefixes = tuple(self.by_prefix)

    def _load(self, data, lang):
        groups = {name: [w for w in words] for name, words in data.get("groups", {}).items()}
        for category, section in data.items():
            if category == "groups":
                continue
            for kind in ("phrases", "mentions"):
                for pattern in section.get(kind, []):
                    try:
                        self._add(category, kind == "phrases" and category != "quiet", pattern, groups)
                    except (ValueError, re.error) as exc:
                        raise ValueError(f"{lang}.toml [{category}] {pattern!r}: {exc}") from exc

    def _add(self, category, strong, pattern, groups):
        tokens = _tokens(pattern)
        regex = " " + "".join(_token_regex(t, groups, self.fold) for t in tokens)
        index = len(self.rules)
        words, at = _anchor(tokens, groups)
        inside = _span(tokens[at : at + 1], groups) - 1  # the anchor may be any word of its token
        before, after = _span(tokens[:at], groups) + inside, _span(tokens[at + 1 :], groups) + inside
        self.rules.append(Rule(category, strong, pattern, re.compile(regex), before, after))
        for word in words:
            word = self.fold(word)
            if word.endswith("*"):
                self.by_prefix.setdefault(word[:-1], []).append(index)
            else:
                self.by_word.setdefault(word, []).append(index)

    def scan(self, text):
        """Yields (rule, match) for every rule matching `text` (normalised), suppressors included.
        Each rule runs only around the occurrences of its anchor words."""
        words = text.split(" ")
        by_word, prefixes = self.by_word, self.prefixes
        hits = []
        for i, word in enumerate(words):
            rules = by_word.get(word)
            if rules is None and word.startswith(prefixes):
                rules = [r for p, rs in self.by_prefix.items() if word.startswith(p) for r in rs]
            if rules:
                hits.append((i, rules))
        if not hits:
            return
        offsets = list(accumulate((len(w) + 1 for w in words), initial=0))
        last, seen = len(words), set()
        for i, rules in hits:
            for index in rules:
                rule = self.rules[index]
                # from the space before the match's first possible word to the space after its last
                start = max(0, offsets[max(0, i - rule.before)] - 1)
                end = offsets[min(last, i + rule.after + 1)]
                for match in rule.regex.finditer(text, start, end):
                    if (index, match.start()) not in seen:
                        seen.add((index, match.start()))
                        yield rule, match
