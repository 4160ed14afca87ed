"""Webhooks: admins register endpoints that receive typed events as signed JSON POSTs, delivered
through the notifier's outbox (its webhook channel): service.py (endpoint changes, audited),
deliveries.py (what is queued for an event, and the notifier's view of endpoints), queries.py,
forms.py, routes.py (the admin pages)."""
