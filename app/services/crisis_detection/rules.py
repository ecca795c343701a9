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
from bisect import bisect_left
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
    " te el lo mi ma mon meu minha und zu das der ne pas nao ja es et ce j m".split()
)
# Everyday words: still anchors when a pattern has nothing better, but a pattern that also
# needs a rarer word ("ways to die": "die", not "ways") is anchored on that one.
_COMMON = set(
    "can could should how need like class tomorrow today tonight after before out time week weekend write"
    " better tired keep keeps last miss now when night take go get got make made more much next way ways here"
    " there around away then them one every ever never really feel think know see say said come day days back"
    " about over off into down up too very still even also only new good well right left best first home"
    " school work help people thing things something anything nothing everything project essay report"
    " presentation homework exam test book film movie class paper course lecture by from with what why"
    " his her their our your him she he it ok okay lol not feel go hope gets let any took room front wake sleep"
    " hits tired saving notes giving decide saturday sunday friday monday tall driving sleeping life end"
    " wrote goodbye miss".split()
)
_TOKEN = re.compile(r"\([^()]*\)\??|\S+")
_GROUP = re.compile(r"\{\w+\}")


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, cheap in the scan's sets
class Rule:
    category: str  # a category key, or "quiet" for a suppressor
    strong: bool  # strong rules are never suppressed
    source: str  # the pattern as written, for error messages
    regex: re.Pattern
    before: int  # the most words a match can start before its anchor word
    after: int  # the most words a match can end after its anchor word
    requires: tuple  # per required token, the words one of which must be in the message


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


def _alt_regex(alt, groups):
    """One alternative (words, {group} references, `<end>`), each word followed by its space."""
    if alt == "<end>":
        return r"(?=\n|$)"
    parts = []
    for word in alt.split():
        if word.startswith("{"):
            if not _GROUP.fullmatch(word):
                raise ValueError(f"bad group reference {word!r} (nested parentheses are not supported)")
            parts.append("(?:" + "|".join(_alt_regex(a, groups) for a in _alternatives(word, groups)) + ")")
        elif word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\S* ")
        else:
            parts.append(re.escape(word) + " ")
    return "".join(parts)


def _token_regex(token, groups):
    if token == "...":
        return r"(?:\S+ ){0," + str(GAP_WORDS) + "}"
    if token == "#":
        return r"[0-9]+ "
    alts = _alternatives(token, groups) if token != "<end>" else ["<end>"]
    regex = "(?:" + "|".join(_alt_regex(alt, groups) for alt in alts) + ")"
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


def _required_words(token, groups):
    """The words one of which a message must hold for `token` to match; None when the token
    is optional or can match without a fixed word (a gap, a number, `<end>`, "suicid*")."""
    if token.endswith("?") or token in ("...", "#", "<end>"):
        return None
    words = set()
    for alt in _alternatives(token, groups):
        if alt == "<end>":
            return None
        best = _best_words(alt, groups)
        if any(w.endswith("*") for w in best):
            return None
        words |= best
    return words


def _score(words):
    """Prefer words that are not common, then not short, then few of them."""
    shortest = min(len(w.rstrip("*")) for w in words)
    return (not (words & _STOP), not (words & _COMMON), shortest >= 4, -len(words), shortest)


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
    """The compiled rules of all languages, and their vocabulary: every word they spell out,
    which lets normalisation tell "kiiill" means "kill" (see normalise.destretch)."""

    def __init__(self):
        self.rules = []
        self.vocabulary = set()
        anchored, prefixed = {}, {}  # anchor word (or prefix, from "suicid*") -> rules
        for lang in LANGUAGES:
            self._load(tomllib.loads((DATA / f"{lang}.toml").read_text(encoding="utf-8")), lang, anchored, prefixed)
        self.by_word = {word: tuple(rules) for word, rules in anchored.items()}
        self.by_prefix = {prefix: tuple(rules) for prefix, rules in prefixed.items()}
        self.prefixes = tuple(self.by_prefix)
        self.anchor_words = frozenset(self.by_word)  # set & frozenset iterates the smaller set
        # For the pre-filter (prefilter.py): the same, less the [quiet] rules, which alone
        # never raise an alert, so a sentence with only quiet anchors need not be scanned.
        alerting = {word: tuple(r for r in rules if r.category != "quiet") for word, rules in anchored.items()}
        self.triggers = {word: rules for word, rules in alerting.items() if rules}
        self.trigger_prefixes = tuple(p for p, rules in prefixed.items() if any(r.category != "quiet" for r in rules))

    def _load(self, data, lang, anchored, prefixed):
        groups = data.get("groups", {})
        for category, section in data.items():
            if category == "groups":
                continue
            for kind in ("phrases", "mentions"):
                for pattern in section.get(kind, []):
                    try:
                        rule, words = self._compile(
                            category, kind == "phrases" and category != "quiet", pattern, groups
                        )
                    except (ValueError, re.error) as exc:
                        raise ValueError(f"{lang}.toml [{category}] {pattern!r}: {exc}") from exc
                    self.rules.append(rule)
                    for word in words:
                        if word.endswith("*"):
                            prefixed.setdefault(word[:-1], []).append(rule)
                        else:
                            anchored.setdefault(word, []).append(rule)

    def _compile(self, category, strong, pattern, groups):
        tokens = _tokens(pattern)
        regex = " " + "".join(_token_regex(t, groups) for t in tokens)
        for token in tokens:
            for alt in _alternatives(token, groups) or ():
                self.vocabulary.update(w for w in alt.split() if not w.endswith("*") and not w.startswith("{"))
        words, at = _anchor(tokens, groups)
        inside = _span(tokens[at : at + 1], groups) - 1  # the anchor may be any word of its token
        before, after = _span(tokens[:at], groups) + inside, _span(tokens[at + 1 :], groups) + inside
        requires = tuple(frozenset(ws) for ws in (_required_words(t, groups) for t in tokens) if ws is not None)
        return Rule(category, strong, pattern, re.compile(regex), before, after, requires), words

    def scan(self, text):
        """Yields (rule, start, end) for every rule matching `text` (normalised), suppressors
        included. A rule runs only around the occurrences of its anchor words, and only when
        every other word it needs is somewhere in the message (a set look-up, much cheaper
        than running the regex). Occurrences are found with str.find, in C."""
        present = set(text.split(" "))
        work = [(" " + word + " ", self.by_word[word]) for word in present & self.anchor_words]
        work += [(" " + prefix, rules) for prefix, rules in self.by_prefix.items() if " " + prefix in text]
        viable, seen, spaces = {}, set(), None
        for needle, rules in work:
            rules = [r for r in rules if _viable(r, present, viable)]
            if not rules:
                continue
            if spaces is None:
                # where every word starts (less its space): a window is then two list look-ups
                spaces = list(accumulate((len(w) + 1 for w in text.split(" ")), initial=0))
                last = len(spaces) - 2
            before, after = max(r.before for r in rules), max(r.after for r in rules)
            at = text.find(needle)
            while at >= 0:
                word = bisect_left(spaces, at + 1)  # index of the anchor word's leading space
                start = max(spaces[max(word - before, 1)] - 1, 0)
                end = spaces[min(word + after + 1, last)]
                for rule in rules:
                    for match in rule.regex.finditer(text, start, end):
                        if (rule, match.start()) not in seen:
                            seen.add((rule, match.start()))
                            yield rule, match.start(), match.end()
                at = text.find(needle, at + 1)


def _viable(rule, present, cache):
    """Are all the words `rule` needs in the message? Cached per scan: rules share anchors."""
    ok = cache.get(rule)
    if ok is None:
        ok = cache[rule] = not any(map(present.isdisjoint, rule.requires))
    return ok
