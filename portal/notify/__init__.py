"""Who is told what: the notification events portal sends and their variables (catalogue), which
audiences hear of each on which channels (rules, queries), and the outbox rows that tell them
(service: services call it inside their own transaction). The notifier then delivers the rows;
it knows nothing of cases.
"""
