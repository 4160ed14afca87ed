"""Notification administration for admins: the message template editor and the rules page (who is told what)."""
