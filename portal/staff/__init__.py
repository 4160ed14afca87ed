"""The staff workspace: queues, assignment, moves and escalation, priority and details, tasks, the
customers on a case and the contact log, the staff search and the supervisor's view. It builds on the
case services and reads of portal.cases; portal.cases never imports it."""
