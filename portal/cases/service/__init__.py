"""State changes of cases: every entry point (web, API, email, CLI, jobs) calls these, each change in
one transaction with its feed entry, search index and notifications.
- opening.py       opening a case: whom it is for, the template's values and files, a fresh reference
- lifecycle.py     status, resolution and the customer's answer, closing, reopening, the scheduled reminders
- conversation.py  public comments (both sides) and internal notes (staff), with files
- attachments.py   checking and storing uploaded files and recording them on a case
- readings.py      who read which case when (the dashboard marks what changed since)
- search_index.py  the two search documents of a case, rebuilt with every change to its searchable text
- transitions.py   writing a change only while the case is in the state its service checked, and the
                   message naming who changed it first (every case service above and in portal.staff)
"""
