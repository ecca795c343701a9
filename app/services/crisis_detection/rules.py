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
from itertools import accumulate, compress
from operator import not_
from pathlib import Path

DATA = Path(__file__).with_name("data")
LANGUAGES = ("en", "es", "fr", "pt", "de")
GAP_WORDS = 4
# A sentence up to this many characters is searched whole for a rule; a longer one only
# in the word windows around each anchor (a message without punctuation is one sentence).
_SHORT = 300
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
        # Two indexes: the rules that can raise an alert, and the [quiet] ones, which only
        # matter where a mention matched (so they are not run on the rest of a long message).
        self.alerting = _Index(anchored, prefixed, lambda rule: rule.category != "quiet")
        self.quiet = _Index(anchored, prefixed, lambda rule: rule.category == "quiet")
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

    def scan(self, text, quiet=False):
        """Yields (rule, start, end) for every rule of one index (the alerting rules, or the
        [quiet] ones) matching `text` (normalised). A rule runs only on a sentence holding
        its anchor word and every other word it needs (set look-ups, much cheaper than the
        regex; no pattern crosses a sentence break). In a long message almost every word is
        present *somewhere*, so the check is made for the message first, then per sentence."""
        index = self.quiet if quiet else self.alerting
        present = set(text.split(" "))
        viable = {}
        by_word, by_prefix = {}, {}  # anchor -> (its rules whose words are all in the message, ...)
        for word in present & index.words:
            rules, before, after = index.by_word[word]
            rules = [r for r in rules if _viable(r, present, viable)]
            if rules:
                by_word[word] = (" " + word + " ", rules, before, after)
        for prefix, (rules, before, after) in index.by_prefix.items():
            if " " + prefix in text:
                rules = [r for r in rules if _viable(r, present, viable)]
                if rules:
                    by_prefix[prefix] = (" " + prefix, rules, before, after)
        if not by_word and not by_prefix:
            return
        if "\n" not in text:
            yield from _scan_sentence(text, 0, len(text), present, [*by_word.values(), *by_prefix.values()])
            return
        # One sentence at a time, but the sentences without an anchor are skipped with
        # C-level passes (split, set, isdisjoint through map) rather than a Python step each.
        parts = text.split("\n")
        offsets = list(accumulate(map(len, parts), _plus_break, initial=0))
        sets = list(map(set, map(str.split, parts)))
        anchors = frozenset(by_word)
        relevant = compress(range(len(parts)), map(not_, map(anchors.isdisjoint, sets)))
        if by_prefix:
            needles = [entry[0] for entry in by_prefix.values()]
            prefixed = (i for i, part in enumerate(parts) if any(needle in part for needle in needles))
            relevant = sorted({*relevant, *prefixed})
        for i in relevant:
            s_start, words, part = offsets[i], sets[i], parts[i]
            s_end = min(s_start + len(part) + 1, len(text))  # keep the break: <end> sees it
            found = [by_word[word] for word in words & anchors]
            if by_prefix:
                found += [entry for entry in by_prefix.values() if entry[0] in part]
            if len(part) > _SHORT:
                yield from _scan_sentence(text, s_start, s_end, words, found)
                continue
            # a short sentence (most): each viable rule searched once over the whole sentence
            done = set()
            for _, rules, _, _ in found:
                for rule in rules:
                    if rule not in done and not any(map(words.isdisjoint, rule.requires)):
                        done.add(rule)
                        for match in rule.regex.finditer(text, s_start, s_end):
                            yield rule, match.start(), match.end()


def _plus_break(total, length):
    return total + length + 1  # each sentence is followed by its "\n"


def _scan_sentence(text, s_start, s_end, words, found):
    """The matches in text[s_start:s_end], one sentence, of the rules `found` (entries of
    (needle, rules, before, after)) whose words are all in it. A long sentence is searched
    only in word windows around each anchor."""
    cache, done, seen = {}, set(), set()
    long_part = text[s_start:s_end] if s_end - s_start > _SHORT else None
    starts = None
    for needle, rules, before, after in found:
        rules = [r for r in rules if r not in done and _viable(r, words, cache)]
        if not rules:
            continue
        if long_part is None:
            done.update(rules)  # searched in the whole sentence: once is enough
            for rule in rules:
                for match in rule.regex.finditer(text, s_start, s_end):
                    yield rule, match.start(), match.end()
            continue
        if starts is None:
            # where every word starts (less its space): a window is then two list look-ups
            starts = list(accumulate((len(w) + 1 for w in long_part.split(" ")), initial=s_start))
        at = text.find(needle, s_start, s_end)
        while at >= 0:
            word = bisect_left(starts, at + 1)  # index of the anchor word's leading space
            start = max(starts[max(word - before, 1)] - 1, s_start)
            end = min(starts[min(word + after + 1, len(starts) - 2)], s_end)
            for rule in rules:
                for match in rule.regex.finditer(text, start, end):
                    if (rule, match.start()) not in seen:
                        seen.add((rule, match.start()))
                        yield rule, match.start(), match.end()
            at = text.find(needle, at + 1, s_end)


class _Index:
    """The rules `keep` selects, by anchor word and by anchor prefix. Each entry is (rules,
    before, after): the widest window any of them needs around the anchor."""

    def __init__(self, anchored, prefixed, keep):
        def entries(table):
            out = {}
            for key, rules in table.items():
                rules = tuple(rule for rule in rules if keep(rule))
                if rules:
                    out[key] = (rules, max(r.before for r in rules), max(r.after for r in rules))
            return out

        self.by_word = entries(anchored)
        self.by_prefix = entries(prefixed)
        self.words = frozenset(self.by_word)  # set & frozenset iterates the smaller set


def _viable(rule, present, cache):
    """Are all the words `rule` needs in the message? Cached per scan: rules share anchors."""
    ok = cache.get(rule)
    if ok is None:
        ok = cache[rule] = not any(map(present.isdisjoint, rule.requires))
    return ok
