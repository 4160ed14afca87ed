"""State changes of cases: every entry point (web, API, email, CLI, jobs) calls these, each change in
one transaction with its feed entry, search index and notifications.
- opening.py       opening a case: whom it is for, the template's values and files, a fresh reference
- lifecycle.py     status, resolution and the customer's answer, closing, reopening, the scheduled reminders
- conversation.py  public comments (both sides) and internal notes (staff), with files
- attachments.py   checking and storing uploaded files and recording them on a case
"""
