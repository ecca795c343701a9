"""Loads the data files and compiles them into rules; `Rules.scan` runs them on normalised text.

Why not one big alternation per language: Python's `re` tries an alternation's branches
one after another at every position, which measured ~40 ms for 300 branches over a
4,000-character message. Instead every pattern gets an *anchor*: its most distinctive
word ("die", "pills", "myself"...). A dictionary maps anchor words to patterns, so a
message only runs the patterns whose anchor it contains, and only on the few words
around each occurrence of its anchor (a window as wide as the pattern can reach).
Ordinary text without any anchor costs one pass of dictionary look-ups. Everything is
compiled once, at import.

The pattern syntax and how anchors are chosen: patterns.py.
"""

import re
import tomllib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate, compress
from operator import not_
from pathlib import Path

from app.services.crisis.detection.patterns import (
    alternatives,
    anchor,
    required_words,
    score,
    span,
    split_tokens,
    token_regex,
)

DATA = Path(__file__).with_name("data")
LANGUAGES = ("en", "es", "fr", "pt", "de")
# A sentence up to this many characters is searched whole for a rule; a longer one only
# in the word windows around each anchor (a message without punctuation is one sentence).
_SHORT = 300
# Sections that never raise anything themselves: they change what other matches mean.
_CONTEXTS = ("quiet", "demote")


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, cheap in the scan's sets
class Rule:
    category: str  # a category key, or "quiet" for a suppressor
    strong: bool  # strong rules are never suppressed
    review: bool  # a `signals` pattern: a risk signal for the review tier, never a page
    source: str  # the pattern as written, for error messages
    regex: re.Pattern
    before: int  # the most words a match can start before its anchor word
    after: int  # the most words a match can end after its anchor word
    requires: tuple  # per required token, the words one of which must be in the message
    others: tuple  # the same, less the anchor's own token (present wherever the rule is looked up)


class Rules:
    """The compiled rules of all languages, and their vocabulary: every word they spell out,
    which lets normalisation tell "kiiill" means "kill" (see normalise.destretch)."""

    def __init__(self):
        self.rules = []
        self.vocabulary = set()
        anchored, prefixed = {}, {}  # anchor word (or prefix, from "suicid*") -> rules
        for lang in LANGUAGES:
            # <lang>.toml holds the v2 categories, situations_<lang>.toml the situations
            # (harm under way, farewells, ...): two files so each can be read on its own
            for name in (f"{lang}.toml", f"situations_{lang}.toml"):
                if (DATA / name).exists():
                    self._load(tomllib.loads((DATA / name).read_text(encoding="utf-8")), name, anchored, prefixed)
        # Two indexes: the rules that can raise an alert, and the [quiet] ones, which only
        # matter where a mention matched (so they are not run on the rest of a long message).
        self.alerting = _Index(anchored, prefixed, lambda rule: rule.category not in _CONTEXTS)
        self.quiet = _Index(anchored, prefixed, lambda rule: rule.category == "quiet")
        # [demote]: study and first-aid contexts that turn a page into a review (see detect)
        self.demote = _Index(anchored, prefixed, lambda rule: rule.category == "demote")
        # For the pre-filter (prefilter.py): the same, less the [quiet] rules, which alone
        # never raise an alert, so a sentence with only quiet anchors need not be scanned.
        alerting = {word: tuple(r for r in rules if r.category not in _CONTEXTS) for word, rules in anchored.items()}
        self.triggers = {word: rules for word, rules in alerting.items() if rules}
        self.trigger_prefixes = tuple(
            p for p, rules in prefixed.items() if any(r.category not in _CONTEXTS for r in rules)
        )

    def _load(self, data, lang, anchored, prefixed):
        groups = data.get("groups", {})
        for category, section in data.items():
            if category == "groups":
                continue
            for kind in ("phrases", "mentions", "signals"):
                for pattern in section.get(kind, []):
                    try:
                        strong = kind == "phrases" and category not in _CONTEXTS
                        rule, words = self._compile(category, strong, kind == "signals", pattern, groups)
                    except (ValueError, re.error) as exc:
                        raise ValueError(f"{lang} [{category}] {pattern!r}: {exc}") from exc
                    self.rules.append(rule)
                    for word in words:
                        if word.endswith("*"):
                            prefixed.setdefault(word[:-1], []).append(rule)
                        else:
                            anchored.setdefault(word, []).append(rule)

    def _compile(self, category, strong, review, pattern, groups):
        tokens = split_tokens(pattern)
        regex = " " + "".join(token_regex(t, groups) for t in tokens)
        for token in tokens:
            for alt in alternatives(token, groups) or ():
                self.vocabulary.update(w for w in alt.split() if not w.endswith("*") and not w.startswith("{"))
        words, at = anchor(tokens, groups)
        inside = span(tokens[at : at + 1], groups) - 1  # the anchor may be any word of its token
        before, after = span(tokens[:at], groups) + inside, span(tokens[at + 1 :], groups) + inside
        needs = [required_words(t, groups) for t in tokens]
        requires = tuple(frozenset(ws) for ws in needs if ws is not None)
        # rarest first: the gate (see _gate) and the checks that fail fastest come first
        others = tuple(
            sorted((frozenset(ws) for k, ws in enumerate(needs) if ws is not None and k != at), key=score, reverse=True)
        )
        return Rule(category, strong, review, pattern, re.compile(regex), before, after, requires, others), words

    def scan(self, text, quiet=False, demote=False, words=None):
        """Yields (rule, start, end) for every rule of one index (the alerting rules, or the
        [quiet] ones) matching `text` (normalised). A rule runs only on a sentence holding
        its anchor word and every other word it needs (set look-ups, much cheaper than the
        regex; no pattern crosses a sentence break). In a long message almost every word is
        present *somewhere*, so the check is per sentence, not per message. `words`: the
        `Words` of `text`, when the caller scans the same text more than once."""
        index = self.demote if demote else self.quiet if quiet else self.alerting
        words = words or Words(text)
        anchors = words.present & index.words
        by_prefix = [entry for prefix, entry in index.by_prefix.items() if " " + prefix in text]
        if not anchors and not by_prefix:
            return
        if "\n" not in text:
            # sorted: a set's order follows the per-process string hash, and the order of
            # the rules found sets the order of an alert's matched phrases among equals
            found = [index.by_word[word] for word in sorted(anchors)] + by_prefix
            yield from _scan_sentence(text, 0, len(text), words.present, found)
            return
        # One sentence at a time, but the sentences without an anchor are skipped with
        # C-level passes (split, set, isdisjoint through map) rather than a Python step each.
        parts, offsets, sets = words.sentences()
        by_word = index.by_word
        relevant = compress(range(len(parts)), map(not_, map(anchors.isdisjoint, sets)))
        if by_prefix:  # the sentences where a prefix anchor occurs, found with str.find
            prefixed = set()
            for needle, *_ in by_prefix:
                at = text.find(needle)
                while at >= 0:
                    prefixed.add(bisect_right(offsets, at) - 1)
                    at = text.find(needle, at + 1)
            relevant = sorted({*relevant, *prefixed})
        for i in relevant:
            s_start, words, part = offsets[i], sets[i], parts[i]
            s_end = min(s_start + len(part) + 1, len(text))  # keep the break: <end> sees it
            found = [by_word[word] for word in sorted(words & anchors)]
            if by_prefix:
                found += [entry for entry in by_prefix if entry[0] in part]
            if len(part) > _SHORT:
                yield from _scan_sentence(text, s_start, s_end, words, found)
                continue
            # a short sentence (most): each viable rule searched once over the whole sentence
            done = set()
            for _, rules, _, _, gate in found:
                if gate is not None and words.isdisjoint(gate):
                    continue  # no rule of this anchor has its next word here
                for rule in rules:
                    if rule not in done and not (rule.others and any(map(words.isdisjoint, rule.others))):
                        done.add(rule)
                        for match in rule.regex.finditer(text, s_start, s_end):
                            yield rule, match.start(), match.end()


def _gate(rules):
    """Words one of which a sentence must hold for any of `rules` to match there (each
    rule's first needed word besides its anchor), or None when a rule needs nothing more."""
    if not all(rule.others for rule in rules):
        return None
    return frozenset().union(*(rule.others[0] for rule in rules))


class Words:
    """The words of a normalised text, split once for every scan of it (the alerting rules,
    then the [demote] ones): the set of all of them, and per sentence (split lazily)."""

    __slots__ = ("text", "present", "_sentences")

    def __init__(self, text):
        self.text = text
        self.present = set(text.split(" "))
        self._sentences = None

    def sentences(self):
        """(sentences, where each starts in the text, the set of words of each)."""
        if self._sentences is None:
            parts = self.text.split("\n")
            # each sentence is followed by its "\n": (1).__add__ adds it in C, not in a lambda
            offsets = list(accumulate(map(_PLUS_BREAK, map(len, parts)), initial=0))
            self._sentences = parts, offsets, list(map(set, map(str.split, parts)))
        return self._sentences


_PLUS_BREAK = (1).__add__


def _scan_sentence(text, s_start, s_end, words, found):
    """The matches in text[s_start:s_end], one sentence, of the rules `found` (entries of
    (needle, rules, before, after, gate)) whose words are all in it. A long sentence is searched
    only in word windows around each anchor."""
    cache, done, seen = {}, set(), set()
    long_part = text[s_start:s_end] if s_end - s_start > _SHORT else None
    starts = None
    for needle, rules, before, after, gate in found:
        if gate is not None and words.isdisjoint(gate):
            continue
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
            starts = list(accumulate(map(_PLUS_BREAK, map(len, long_part.split(" "))), initial=s_start))
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
    """The rules `keep` selects, by anchor word and by anchor prefix. Each entry is (needle,
    rules, before, after, gate): the text to find, the widest window any of the rules needs
    around it, and the words one of which a sentence must hold for any of them (_gate)."""

    def __init__(self, anchored, prefixed, keep):
        def entries(table, needle):
            out = {}
            for key, rules in table.items():
                rules = tuple(rule for rule in rules if keep(rule))
                if rules:
                    before, after = max(r.before for r in rules), max(r.after for r in rules)
                    out[key] = (needle(key), rules, before, after, _gate(rules))
            return out

        self.by_word = entries(anchored, lambda word: " " + word + " ")
        self.by_prefix = entries(prefixed, lambda prefix: " " + prefix)
        self.words = frozenset(self.by_word)  # set & frozenset iterates the smaller set


def _viable(rule, present, cache):
    """Are all the words `rule` needs in the message? Cached per scan: rules share anchors."""
    ok = cache.get(rule)
    if ok is None:
        ok = cache[rule] = not any(map(present.isdisjoint, rule.requires))
    return ok
