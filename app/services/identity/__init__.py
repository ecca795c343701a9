"""Who someone is and what they may see: users, tokens, principals, cohorts, access.

Doors: users.py (create, look up, authenticate), auth.py (sign-up, login, refresh, logout),
principals.py (the cached identity behind a token), tokens.py (revocation), access.py
(every "is this student mine?" question), cohorts.py (members and joining), rooms.py (a
user's sockets follow their memberships).
"""
