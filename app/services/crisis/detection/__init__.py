"""Does a message signal a crisis? The chatbot's label, or our own check of the text.

The text check does not trust the chatbot: a plain "thinking about killing myself"
labelled `study_help` is still a crisis. It errs on the side of alerting: a false alarm
costs a mentor a minute, a miss can cost far more. See docs/crisis-detection.md.

What it looks for is organised by clinical category, in the spirit of the Columbia
Suicide Severity Rating Scale (C-SSRS). Keys, meaning and severity (data/categories.toml):

| key                   | meaning                                                   | severity |
|-----------------------|-----------------------------------------------------------|----------|
| intent_or_plan        | decided to act, has a time or a plan                      | critical |
| method_or_means       | a method named, means at hand or being researched         | critical |
| preparatory_behaviour | notes, goodbyes, giving things away, putting affairs in order | critical |
| danger_from_others    | the student is hurt or threatened by someone (often at home) | critical |
| active_ideation       | thoughts of killing oneself, suicide, its slang           | high     |
| self_harm             | cutting, burning, hitting oneself, non-suicidal self-injury | high   |
| wish_to_be_dead       | wanting to be dead, not wake up, not exist                | medium   |
| burden_hopelessness   | "better off without me", no way out, a burden             | medium   |

Pipeline: `normalise` (case, accents, homoglyphs, leetspeak, contractions,
stretched letters), then `rules.Rules.scan` runs the patterns of every language's data
file (data/<lang>.toml). Patterns listed as `phrases` are clear statements and always
count; `mentions` (a bare topic word such as "suicide" or "overdose") are dropped when a
`[quiet]` pattern (a seminar, an essay, a kill command, an idiom) covers the same words.
"""

import tomllib
from bisect import bisect_right
from dataclasses import dataclass, field

from app.services.crisis.detection.normalise import VOCABULARY, add_dropped_g, normalise
from app.services.crisis.detection.rules import DATA, Rules, Words

__all__ = [
    "CATEGORIES",
    "PAGE",
    "REVIEW",
    "SEVERITIES",
    "Detection",
    "detect",
    "detect_normalised",
    "normalise",
    "severity_for",
]

SEVERITIES = ("low", "medium", "high", "critical")
CATEGORIES = tomllib.loads((DATA / "categories.toml").read_text(encoding="utf-8"))
_RANK = {key: (-SEVERITIES.index(meta["severity"]), order) for order, (key, meta) in enumerate(CATEGORIES.items())}
_RULES = Rules()
VOCABULARY.update(_RULES.vocabulary)
add_dropped_g(_RULES.vocabulary)
_MAX_MATCHED = 8


PAGE, REVIEW = "page", "review"


@dataclass(frozen=True)
class Detection:
    is_crisis: bool  # the page tier: a clear crisis, an alert
    categories: list[str] = field(default_factory=list)  # most severe first
    matched: list[str] = field(default_factory=list)  # the words that matched, as normalised
    severity: str | None = None  # the highest severity among `categories`
    # "page" (is_crisis), "review" (risk signals without a clear crisis: a concern), or None.
    # For "review", categories and matched are the signals' own.
    tier: str | None = None


def _hits(rules, text):
    """(category, snippet) of every rule that counts: strong ones, and weak ones nothing quiets.
    The [quiet] patterns run only on the sentences holding a weak match, the only place
    they can matter."""
    strong, weak = [], []
    words = Words(text)  # split once, for this scan and _demoted's
    for rule, start, end in rules.scan(text, words=words):
        (strong if rule.strong else weak).append((rule.category, start, end, rule.review))
    hits = [(category, start, end, review) for category, start, end, review in strong]
    if weak:
        # the sentences holding a weak match, scanned together (one scan, not one each);
        # `at` maps a position in `joined` back to the message
        starts = sorted({text.rfind("\n", 0, start) + 1 for _, start, _, _ in weak})
        pieces, at, length = [], [], 0
        for s_start in starts:
            s_end = text.find("\n", s_start)
            piece = text[s_start : len(text) if s_end < 0 else s_end]
            pieces.append(piece)
            at.append((length, s_start))
            length += len(piece) + 1
        joined = "\n".join(pieces)
        quiet = []
        for _, q_start, q_end in rules.scan(joined, quiet=True):
            offset = at[bisect_right(at, (q_start, len(text))) - 1]
            quiet.append((q_start - offset[0] + offset[1], q_end - offset[0] + offset[1]))
        for category, start, end, review in weak:
            if not any(q_start < end and start < q_end for q_start, q_end in quiet):
                hits.append((category, start, end, review))
    return [(c, text[start:end], review) for c, start, end, review in _demoted(rules, text, hits, words)]


# Never turned into a review by a study context: someone else hurting the student is not a
# classroom question, and a question that names the student ("for my weight") is about them.
_NEVER_DEMOTED = frozenset({"danger_from_others", "exploitation_or_threats", "disguised_question"})


def _demoted(rules, text, hits, words=None):
    """Page hits in a sentence that a [demote] pattern marks as study or first aid (a nursing
    question on overdoses, "how much paracetamol is lethal" for a pharmacology quiz) become
    review hits: the mentor still sees them, nobody is paged."""
    if not any(not review and category not in _NEVER_DEMOTED for category, _, _, review in hits):
        return hits
    sentences = {text.rfind("\n", 0, start) + 1 for _, start, _ in rules.scan(text, demote=True, words=words)}
    if not sentences:
        return hits
    return [
        (c, start, end, review or (c not in _NEVER_DEMOTED and text.rfind("\n", 0, start) + 1 in sentences))
        for c, start, end, review in hits
    ]


def detect(message):
    """The tier of `message` (page, review or none) with the categories and words behind it
    (never raises on odd text). Any page-tier match pages; only `signals` patterns review."""
    return detect_normalised(normalise(message))


def detect_normalised(text):
    """`detect` for text already normalised (verdict.check normalises once for rules and model)."""
    hits = _hits(_RULES, text)
    page = [(category, snippet) for category, snippet, review in hits if not review]
    if page:
        return _finding(page, PAGE)
    signals = [(category, snippet) for category, snippet, _ in hits]
    return _finding(signals, REVIEW) if signals else Detection(False)


def _finding(hits, tier):
    categories = sorted({c for c, _ in hits}, key=_RANK.__getitem__)
    matched = []
    # most severe first, and the longest wording of a passage only ("kill myself" is in
    # "i am going to kill myself")
    for _, snippet in sorted(hits, key=lambda hit: (_RANK[hit[0]], -len(hit[1]))):
        snippet = " ".join(snippet.split())
        if len(matched) < _MAX_MATCHED and not any(snippet in kept for kept in matched):
            matched.append(snippet[:60])
    return Detection(tier == PAGE, categories, matched, CATEGORIES[categories[0]]["severity"], tier)


def severity_for(requested, confidence, reason, detection=None):
    """The chatbot's severity if it gave one. Otherwise critical when label and text agree
    (or the label is sure, >= 0.9), else high; and when the text check flagged the message
    (`detection`, from `detect`), its category severity raises that: a plan, a method,
    preparation or danger from others is critical. A milder category (medium) never
    lowers an alert below high: the alert was raised, it should page like one."""
    if requested:
        return requested
    if reason == "label+text" or (reason == "label" and confidence >= 0.9):
        base = "critical"
    else:
        base = "high"
    if detection is not None and detection.severity and reason in ("text", "label+text"):
        return max(base, detection.severity, key=SEVERITIES.index)
    return base
