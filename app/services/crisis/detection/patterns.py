"""Pattern syntax of the data files, compiled to regular expressions, and each pattern's anchor.

Pattern syntax (documented for clinicians at the top of each data file):
  words           those words, in that order, whole words
  (a|b c)         one of the alternatives (each one or more words)
  {group}         one of the words or phrases of [groups] `group`
  x?              x is optional
  pref*           a word starting with `pref` ("suicid*": suicide, suicidal)
  ...             up to four words in between, within one sentence
  #               a number
  <end>           the end of a sentence or of the message

The anchor of a pattern is its most distinctive required word (or set of words, for a
token with alternatives): rules.py looks a pattern up only where its anchor occurs.
"""

import re

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
    " wrote goodbye miss"
    # frequent in long ordinary messages (measured on the benchmark's 4,000-character texts)
    " with like need feel today tomorrow week again said last many better keeps tired after dead death"
    " where who which while once still ever gone done want wanted".split()
)
_TOKEN = re.compile(r"\([^()]*\)\??|\S+")
_GROUP = re.compile(r"\{\w+\}")


def split_tokens(pattern):
    return _TOKEN.findall(pattern.strip())


def alternatives(token, groups):
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
            parts.append("(?:" + "|".join(_alt_regex(a, groups) for a in alternatives(word, groups)) + ")")
        elif word.endswith("*"):
            parts.append(re.escape(word[:-1]) + r"\S* ")
        else:
            parts.append(re.escape(word) + " ")
    return "".join(parts)


def token_regex(token, groups):
    if token == "...":
        return r"(?:\S+ ){0," + str(GAP_WORDS) + "}"
    if token == "#":
        return r"[0-9]+ "
    alts = alternatives(token, groups) if token != "<end>" else ["<end>"]
    regex = "(?:" + "|".join(_alt_regex(alt, groups) for alt in alts) + ")"
    return regex + "?" if token.endswith("?") else regex


def _best_words(alt, groups):
    """The anchor candidates of one alternative: its most distinctive word (a group: each entry's)."""
    options = []
    for word in alt.split():
        if _GROUP.fullmatch(word):
            words = set().union(*(_best_words(a, groups) for a in alternatives(word, groups)))
        else:
            words = {word}
        options.append((score(words), words))
    return max(options, key=lambda option: option[0])[1]


def required_words(token, groups):
    """The words one of which a message must hold for `token` to match; None when the token
    is optional or can match without a fixed word (a gap, a number, `<end>`, "suicid*")."""
    if token.endswith("?") or token in ("...", "#", "<end>"):
        return None
    words = set()
    for alt in alternatives(token, groups):
        if alt == "<end>":
            return None
        best = _best_words(alt, groups)
        if any(w.endswith("*") for w in best):
            return None
        words |= best
    return words


def score(words):
    """Prefer words that are not common, then not short, then few of them."""
    shortest = min(len(w.rstrip("*")) for w in words)
    return (not (words & _STOP), not (words & _COMMON), shortest >= 4, -len(words), shortest)


def anchor(tokens, groups):
    """The anchor words of the pattern's most distinctive required token, and its index."""
    best, at = None, None
    for k, token in enumerate(tokens):
        alts = None if token.endswith("?") or token == "<end>" else alternatives(token, groups)
        if not alts or "<end>" in alts:
            continue
        words = set().union(*(_best_words(alt, groups) for alt in alts))
        if best is None or score(words) > score(best):
            best, at = words, k
    if best is None:
        raise ValueError("a pattern needs at least one required word")
    return best, at


def span(tokens, groups):
    """The most words these tokens can cover: the window around an anchor must hold them."""
    total = 0
    for token in tokens:
        alts = alternatives(token, groups)
        # a {group} inside an alternative counts generously: 3 words
        if token == "...":
            total += GAP_WORDS
        else:
            total += 1 if alts is None else max(len(a.split()) + 2 * a.count("{") for a in alts)
    return total
