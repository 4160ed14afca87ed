"""Notification administration: the template editor, rules, recipient preferences and unsubscribe."""
