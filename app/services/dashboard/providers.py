"""Where each dashboard section comes from: Pulse's own tables, or an outside service.

Every outside source of the seed (TalentScope, Coaching OS, Missions, Portfolio, Cohort,
AI Coach, Leaderboard) is one Provider. By default a LocalProvider computes the section
from Pulse's tables; setting the source's URL (e.g. TALENTSCOPE_URL) swaps in an
HttpProvider: it POSTs {"student_id", "section", "state"} as JSON and expects a JSON
object back within PROVIDER_TIMEOUT seconds. When the source's token setting is set (the
URL setting's name with _TOKEN, e.g. TALENTSCOPE_TOKEN), it is sent as
`Authorization: Bearer <token>`. Any failure raises ProviderError; the aggregate then keeps
that section's last good value, marked stale.
"""

import json
import logging
import urllib.error
import urllib.request

from flask import current_app

from app.services.dashboard import readiness, rules, sections

log = logging.getLogger(__name__)


class ProviderError(Exception):
    pass


class Provider:
    source = "local"

    def __init__(self, name):
        self.name = name

    def fetch(self, ctx, state):
        """The section as a dict, or ProviderError."""
        raise NotImplementedError


class LocalProvider(Provider):
    def __init__(self, name, compute):
        super().__init__(name)
        self.compute = compute

    def fetch(self, ctx, state):
        return self.compute(ctx, state)


class HttpProvider(Provider):
    source = "http"

    def __init__(self, name, section, url, timeout, token=None):
        super().__init__(name)
        self.section, self.url, self.timeout, self.token = section, url, timeout, token

    def fetch(self, ctx, state):
        body = json.dumps({"student_id": ctx.student.id, "section": self.section, "state": state}, default=str)
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                value = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ProviderError(f"{self.name} at {self.url}: {exc}") from exc
        if not isinstance(value, dict):
            raise ProviderError(f"{self.name} at {self.url}: expected a JSON object")
        return value


# section -> (outside source's name, its URL setting, Pulse's own computation)
SOURCES = {
    "readiness": ("talentscope", "TALENTSCOPE_URL", lambda ctx, state: readiness.compute(ctx)),
    "missions": ("missions", "MISSIONS_URL", lambda ctx, state: sections.missions(ctx)),
    "portfolio": ("portfolio", "PORTFOLIO_URL", lambda ctx, state: sections.portfolio(ctx)),
    "cohort": ("cohort", "COHORT_URL", lambda ctx, state: sections.cohort(ctx)),
    "coaching": ("coaching_os", "COACHING_URL", lambda ctx, state: sections.coaching(ctx)),
    "leaderboard": ("leaderboard", "LEADERBOARD_URL", lambda ctx, state: sections.leaderboard(ctx)),
    "ai_nudge": ("ai_coach", "AI_COACH_URL", lambda ctx, state: rules.nudge(ctx, state)),
}


def token_setting(url_setting):
    """TALENTSCOPE_URL -> TALENTSCOPE_TOKEN."""
    return url_setting.removesuffix("_URL") + "_TOKEN"


def provider_for(section):
    name, setting, compute = SOURCES[section]
    url = current_app.config.get(setting)
    if url:
        token = current_app.config.get(token_setting(setting))
        return HttpProvider(name, section, url, current_app.config["PROVIDER_TIMEOUT"], token)
    return LocalProvider(name, compute)


def fetch(section, ctx, state, previous):
    """The section from its provider; on failure the last good value marked stale (never raises)."""
    provider = provider_for(section)
    try:
        value = provider.fetch(ctx, state)
        if section == "ai_nudge" and provider.source == "http":
            value = {"text": str(value.get("text", "")), "rule": value.get("rule", "ai_coach"), "source": "ai_coach"}
        return value
    except Exception as exc:  # any failure of an outside source: never a 500
        if provider.source == "local" and current_app.testing:
            raise  # our own computation failing is a bug: tests must see it
        log.warning("dashboard provider %s failed for student %s: %s", provider.name, ctx.student.id, exc)
        last = dict(previous) if isinstance(previous, dict) else {}
        last.pop("stale", None)
        return {**last, "stale": True, "stale_source": provider.name}
