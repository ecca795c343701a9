"""An admin's changes to an account, and everything that follows from them across domains.

Doors: changes.py (name, role, active flag, tier; the identity re-read after an SQL
change), assignment.py (a student's one mentor);
reassignment.py settles the work in flight when a student's mentor changes (tasks,
sessions, crisis alerts). It sits above identity, portal and crisis, which it moves.
"""
