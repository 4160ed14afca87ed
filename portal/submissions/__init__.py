"""Forms sent once: a double click, a resent POST or a browser retry never makes a second case,
comment, contact log entry or task.

    forms.py    OnceForm: a FlaskForm with a hidden random key, made when the form is shown
    service.py  claim() and settle(): the key is taken in the same transaction as the change it asks for

The second sending of a form finds its key taken and raises AlreadyDone with the first result (the
case it went to); the pages then show that case instead of doing anything twice. Keys are per user,
kept for a day (prune_submissions, run by the scheduler).
"""
