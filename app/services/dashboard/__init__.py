"""The student dashboard: one cached aggregate per student, a prioritised refresh queue, live updates.

context.py loads a student's work once; readiness.py, sections.py and rules.py compute the
sections; providers.py lets an outside service replace a section; aggregate.py assembles
and masks; refresh.py recomputes and stores; store.py keeps the Redis copy; reader.py serves
reads; queue.py records refresh requests (queue_refresh is the hook other parts of Pulse
call) and drain.py, above refresh.py, works them off; actions.py records student actions;
stream.py is the Server-Sent Events side. Lower modules never import higher ones.
"""
