"""Mentor insights' urgent half: what happens to a crisis message (docs/crisis-alerts.md).

Doors: intents.py (the chatbot's message: stored, checked, and an alert in the same
transaction), alerts.py (raise, acknowledge, resolve, escalate, move to the current
mentor), feedback.py (the retraining export), detection/ (the server's own text check).
"""
