"""The staff workspace: queues, assignment, moves and escalation, priority and details, tasks, the
customers on a case and the contact log, the staff search and the supervisor's view.
- routes/     the staff blueprint: workspace pages, case actions, tasks, and the staff part of the case page
- forms.py    the workspace's forms (shape rules only)
- service/    state changes: handling, details, tasks, contacts
- queries.py  reads: my cases, queues, my tasks, the staff search, the supervisor's counts
It builds on the case services and reads of portal.cases; portal.cases never imports it.
"""
