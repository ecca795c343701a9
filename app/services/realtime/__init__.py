"""The live-event bus, below the domains and above the plumbing; it works from web and worker.

rooms.py names every room; outbox.py stores an event with the change and publishes it after
the commit (the door for events that must not be lost); emit.py publishes at once;
coalesce.py sends at most one event per interval per subject; membership.py moves a user's
sockets between rooms (or ends them) on every web process; manager.py is the
deployment's Redis client manager. The Socket.IO handlers clients talk to are app/sockets.
"""
