"""C-SSRS escalators: means, a plan, preparation or a time in a crisis message make it critical.

The Columbia scale ranks a wish to be dead as lower risk than ideation with a method,
intent or a plan, and preparatory behaviour as the highest. The rules' categories already
carry that (data/categories.toml), but a message the rules file as a passive wish ("i
wish i was dead") can still say, elsewhere, that pills are saved up or that it is
tonight; and a message only the model or the chatbot's label caught has no category at
all. These markers only ever *raise* the severity of a message already found to be a
crisis; alone they alert nothing ("tonight" and "pills" are ordinary words).
Patterns run on normalised text (lower case, accents folded, "i'm" -> "i am").
"""

import re

MARKERS = {
    "means": (
        r"\b(saved?|saving|stockpil\w*|hoard\w*|collect\w*|stash\w*) (up )?(\w+ ){0,3}"
        r"(pills|meds|tablets|medication)"
        r"|\b(sleeping pills|painkillers|overdose|rope|noose|razor|blade|train tracks|the tracks|bridge"
        r"|rooftop|the roof|gun)\b"
        r"|\b(pastillas|cuchilla|navaja|cuerda|vias del tren|azotea|puente)\b"
        r"|\b(guardad[oa]s?|juntando) (\w+ ){0,3}pastillas"
        r"|\b(cachets|medocs|medicaments|comprimes|lame|rasoir|corde|rails|pont|toit)\b"
        r"|\b(remedios?|comprimidos|cartela|lamina|corda|trilhos?|ponte|telhado)\b"
        r"|\b(tabletten|pillen|klinge|rasierklinge|seil|strick|gleise|brucke|dach)\b"
    ),
    "plan": (
        r"\b(have|got|made|making) (a|the|my) plan\b|\ball planned\b|\bplanned (it|everything)\b"
        r"|\btengo (un|todo) plan\w*|\bj ai (un plan|tout prevu)|\btenho um plano|\bja planejei"
        r"|\bich (habe|hab) (einen plan|alles geplant)|\balles geplant\b"
    ),
    "preparation": (
        r"\b(goodbye|farewell|suicide) (note|letter)s?\b|\bgave (away )?(all )?my (stuff|things)|\bgiving away my\b"
        r"|\bwill not need (it|them|my \w+)|\bwrote (my|a) will\b"
        r"|\bcartas? de despedida|\bnota de despedida|\bregal\w* (todas )?mis cosas|\bno (las|lo) voy a necesitar"
        r"|\blettres? d adieu|\bdonne (toutes )?mes affaires|\ben aurai plus besoin"
        r"|\bcartas? de despedida|\bdando minhas coisas|\bdei minhas coisas|\bnao vou (mais )?precisar"
        r"|\babschiedsbrie\w*|\bverschenk\w*|\bbrauch\w* (die|meine sachen) (eh |bald )?nicht mehr"
    ),
    "time": (
        r"\b(tonights?|this weekend|by (sunday|monday|tuesday|wednesday|thursday|friday|saturday))\b"
        r"|\b(picked|set|chose|chosen) (a|the) (date|day)\b|\btomorrow is the day\b|\bmy last (day|week)\b"
        r"|\besta noche\b|\beste fin de semana\b|\bya tengo fecha\b|\bce soir\b|\bcette nuit\b|\bce week end\b"
        r"|\b(choisi|une) (la )?(date|jour)\b|\bhoje a noite\b|\besse fim de semana\b|\bja tenho data\b"
        r"|\bheute (nacht|abend)\b|\bam wochenende\b|\bein datum\b|\bder tag steht fest\b"
    ),
}
_COMPILED = {kind: re.compile(pattern) for kind, pattern in MARKERS.items()}


def _alternatives(pattern):
    """The top-level alternatives of `pattern` (split at the "|" outside any group)."""
    alts, depth, start, escaped = [], 0, 0, False
    for at, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alts.append(pattern[start:at])
            start = at + 1
    return alts + [pattern[start:]]


def _starts_with_a_letter(rest):
    """Does every way `rest` (a pattern's source) can match begin with a letter or digit? Only
    a plain word or a group of plain words says yes; anything else is left as written."""
    if rest[:1].isalnum():
        return rest[1:2] not in ("?", "*", "{")  # "\\bx?" may start at what follows
    if not rest.startswith("(") or rest.startswith("(?"):
        return False
    depth = 0
    for at, char in enumerate(rest):
        depth += char == "("
        depth -= char == ")"
        if depth == 0:
            optional = rest[at + 1 : at + 2] in ("?", "*", "{")
            return not optional and all(alt[:1].isalnum() for alt in _alternatives(rest[1:at]))
    return False


def _spaced(pattern):
    """`pattern` with a leading `\\b` before a word read as a space: in normalised text every
    word follows a space, and a regex that starts with a literal lets `re` skip to the
    candidates in C instead of testing a word boundary at every character (several times
    faster on a 4,000-character message). `markers` uses it only on text of that shape."""
    return "|".join(
        " " + alt[2:] if alt.startswith("\\b") and _starts_with_a_letter(alt[2:]) else alt
        for alt in _alternatives(pattern)
    )


_SPACED = {kind: re.compile(_spaced(pattern)) for kind, pattern in MARKERS.items()}
# Text where a word can follow something other than a space: the written patterns then.
_NOT_NORMALISED = re.compile(r"[^a-z0-9 \n]")
_GLUED = re.compile(r"\n[a-z0-9]")


def markers(normalised):
    """The escalator kinds found in a normalised message: means, plan, preparation, time."""
    compiled = _COMPILED
    if not normalised[:1].isalnum() and not _NOT_NORMALISED.search(normalised) and not _GLUED.search(normalised):
        compiled = _SPACED  # the same answers on this shape of text (tested), faster
    return [kind for kind, pattern in compiled.items() if pattern.search(normalised)]
