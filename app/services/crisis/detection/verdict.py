"""Rules and model together: is this message a crisis, why, and how severe.

A message alerts when the rules fire OR the model's score passes its threshold (chosen
for recall, see training.py). The verdict keeps both opinions so the alert's trigger can
say which fired: the rules with their phrases, the model with its score and top n-grams.
If the model cannot be loaded or fails, the rules alone decide (logged): the net must
never tear because of its second strand.
"""

import logging
from dataclasses import dataclass
from functools import cached_property

from app.services.crisis.detection import SEVERITIES, Detection, detect_normalised, normalise, severity_for
from app.services.crisis.detection import model as crisis_model
from app.services.crisis.detection.cssrs import markers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    rules: Detection
    model: crisis_model.ModelScore | None = None
    text: str = ""  # the message, normalised

    @cached_property
    def escalators(self):
        """C-SSRS: means, plan, preparation, time (looked for only when asked: a crisis)."""
        return markers(self.text)

    @property
    def by_rules(self):
        return self.rules.is_crisis

    @property
    def by_model(self):
        return self.model is not None and self.model.fired

    @property
    def is_crisis(self):
        return self.by_rules or self.by_model

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


def check(message):
    """Both opinions on one message (normalised once)."""
    text = normalise(message)
    rules = detect_normalised(text)
    try:
        score = crisis_model.score(text)
    except Exception:  # a broken artefact must not stop the rules from alerting
        log.exception("crisis model failed; the rules alone decide")
        score = None
    return Verdict(rules, score, text)


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
