"""Typed events (portal.models.events): services call `record(...)` inside their own transaction for
every change to a case or its tasks; the API's event stream, webhooks, reports and SLA clocks read them."""
