"""The platform's rules, one package per domain. Services own the commit, then cache
invalidation, enqueue and emit, in that order; views, pages, socket handlers and jobs call them.

Domains (each package's __init__ names its doors): crisis, portal, dashboard, performance,
academy, identity, notifications, activity, accounts (an admin's changes that ripple across
domains) and demo. Below them: realtime (the live-event bus) and shared (the plumbing).
The layers are contracts in .importlinter; docs/architecture.md draws the map.
"""
