"""Rules and model together: is this message a crisis, why, and how severe.

Two tiers (issue 32's triage). A message PAGES (an alert) when the rules' page tier fires
or the model is sure (its score at or above CRISIS_MODEL_PAGE_SCORE, or past its recall threshold
with means, a plan, preparation or a time named: C-SSRS); it goes to REVIEW (a
concern on the mentor's list) when only the rules' signals fire or the model's score passes
its recall threshold (chosen for recall, see training.py) without being sure. On data it
never saw, the recall threshold alone raised a false alarm on about one ordinary message
in three: a page for each would teach mentors to ignore pages, a review costs a glance.
The verdict keeps both opinions so the alert's trigger can
say which fired: the rules with their phrases, the model with its score and top n-grams.
If the model cannot be loaded or fails, the rules alone decide (logged): the net must
never tear because of its second strand.
"""

import logging
from dataclasses import dataclass
from functools import cached_property

from app.services.crisis.detection import (
    PAGE,
    REVIEW,
    SEVERITIES,
    Detection,
    detect_normalised,
    normalise,
    severity_for,
)
from app.services.crisis.detection import model as crisis_model
from app.services.crisis.detection.cssrs import markers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    rules: Detection
    model: crisis_model.ModelScore | None = None
    text: str = ""  # the message, normalised
    model_page_score: float = 1.01  # the model's score that pages on its own (above 1: never)

    @cached_property
    def escalators(self):
        """C-SSRS: means, plan, preparation, time (looked for only when asked: a crisis)."""
        return markers(self.text)

    @property
    def by_rules(self):
        return self.rules.is_crisis

    @property
    def by_model(self):
        """The model's score passed its recall threshold (the review tier at least)."""
        return self.model is not None and self.model.fired

    @property
    def model_pages(self):
        """The model pages alone when it fired and the message names means, a plan, preparation
        or a time (C-SSRS: the highest risk is never left to review), or when it is sure and
        the rules found nothing."""
        if not self.by_model:
            return False
        if self.escalators:
            return True
        # The rules' signals (hopelessness, a passive wish in weak words) are a deliberate
        # review: a sure model does not page over them, only where the rules have no opinion.
        return self.rules.tier is None and self.model.score >= self.model_page_score

    @property
    def is_crisis(self):
        return self.by_rules or self.model_pages

    @property
    def tier(self):
        """PAGE, REVIEW or None (concerns.source_for reads it as it reads a Detection's)."""
        if self.is_crisis:
            return PAGE
        return REVIEW if self.rules.tier == REVIEW or self.by_model else None

    # what an alert stores: the rules' categories and phrases (the model has neither)
    @property
    def categories(self):
        return self.rules.categories

    @property
    def matched(self):
        return self.rules.matched

    def model_trigger(self):
        """The model's part of the alert's trigger, when it fired; None otherwise."""
        return self.model.as_trigger() if self.by_model else None


def check(message, model_page_score=1.01):
    """Both opinions on one message (normalised once); the model pages alone at or above
    `model_page_score` (the CRISIS_MODEL_PAGE_SCORE setting)."""
    text = normalise(message)
    rules = detect_normalised(text)
    try:
        score = crisis_model.score(text)
    except Exception:  # a broken artefact must not stop the rules from alerting
        log.exception("crisis model failed; the rules alone decide")
        score = None
    return Verdict(rules, score, text, model_page_score)


def warm():
    """Load the model and run every stage once (about a second of CPU), so that a web
    process's first crisis message is not the one that pays for it. Returns the verdict."""
    verdict = check("warming up: i want to end it all tonight, i have the pills")
    verdict.model_trigger()  # the explanation an alert stores
    markers(verdict.text)
    return verdict


def classify(intent_label, verdict, crisis_labels):
    """Returns (is_crisis, reason): reason is "label", "text", "label+text" or None."""
    by_label = intent_label.strip().lower() in {label.lower() for label in crisis_labels}
    by_text = verdict.is_crisis
    if by_label and by_text:
        return True, "label+text"
    if by_label:
        return True, "label"
    if by_text:
        return True, "text"
    return False, None


def severity(requested, confidence, reason, verdict):
    """detection.severity_for, then C-SSRS: means, a plan, preparation or a time in a crisis
    message make it critical, whatever else said less (the chatbot's own severity included)."""
    base = severity_for(requested, confidence, reason, verdict.rules)
    if reason and verdict.escalators:
        return "critical"
    return base if base in SEVERITIES else "high"
