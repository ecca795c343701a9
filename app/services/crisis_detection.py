"""Does a message signal a crisis? The chatbot's label, or our own check of the text.

The text check does not trust the chatbot: a plain "thinking about killing myself"
labelled `study_help` is still a crisis. Text is lower-cased, apostrophes dropped and
every other non-letter turned into a space, so "Killing MYSELF!!" and "killing... myself"
match alike. Phrases match on word boundaries ("unalive" does not match "alive").
The list is deliberately broad: a false alarm costs a mentor a minute, a miss can cost
far more. Maintain it here; README "Crisis alerts" documents it.
"""

import re
from dataclasses import dataclass, field

CRISIS_PHRASES = [
    # suicide and suicidal ideation
    "kill myself",
    "killing myself",
    "kill my self",
    "end my life",
    "ending my life",
    "end it all",
    "take my own life",
    "taking my own life",
    "suicide",
    "suicidal",
    "commit suicide",
    "want to die",
    "wanna die",
    "wish i was dead",
    "wish i were dead",
    "better off dead",
    "dont want to live",
    "dont want to be alive",
    "no reason to live",
    "nothing to live for",
    "not worth living",
    "cant go on",
    "cant take it anymore",
    "say goodbye forever",
    "goodbye cruel world",
    "unalive myself",
    "sleep forever and never wake up",
    # self-harm
    "hurt myself",
    "hurting myself",
    "harm myself",
    "harming myself",
    "self harm",
    "selfharm",
    "cut myself",
    "cutting myself",
    "burn myself",
    "overdose",
    "od on",
    # immediate danger
    "going to jump",
    "jump off a bridge",
    "hang myself",
    "hanging myself",
    "pills to die",
    "someone is hurting me",
    "being abused",
    "he hits me",
    "she hits me",
    "not safe at home",
]

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text):
    """Lower-case, drop apostrophes (don't -> dont), every other separator -> one space."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return " " + _NON_WORD.sub(" ", text).strip() + " "


_PATTERNS = [normalise(p) for p in CRISIS_PHRASES]


def text_signals_crisis(message):
    return detect(message).is_crisis


@dataclass(frozen=True)
class Detection:
    is_crisis: bool
    categories: list = field(default_factory=list)
    matched: list = field(default_factory=list)
    severity: str | None = None


def detect(message):
    padded = normalise(message)
    matched = [phrase for phrase, p in zip(CRISIS_PHRASES, _PATTERNS, strict=True) if p in padded]
    return Detection(bool(matched), ["active_ideation"] if matched else [], matched, "high" if matched else None)


def classify(intent_label, message, crisis_labels):
    """Returns (is_crisis, reason): reason is "label", "text", "label+text" or None."""
    by_label = intent_label.strip().lower() in {label.lower() for label in crisis_labels}
    by_text = text_signals_crisis(message)
    if by_label and by_text:
        return True, "label+text"
    if by_label:
        return True, "label"
    if by_text:
        return True, "text"
    return False, None


def severity_for(requested, confidence, reason):
    """The chatbot's severity if it gave one; otherwise high, or critical when both agree."""
    if requested:
        return requested
    if reason == "label+text" or (reason == "label" and confidence >= 0.9):
        return "critical"
    return "high"
