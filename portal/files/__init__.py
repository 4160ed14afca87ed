"""Uploaded files, whatever they are attached to: no pages, no database rows, no Flask.
- rules.py    what a file may be: its type judged by its content, a safe display name, sizes in words
- storage.py  keeping files on disk: outside static/, under random names, size-capped while streaming
Cases record them as Attachment rows (portal.cases.service.attachments) and serve them only through
the policy-checked download view (portal.cases.routes.case_page).
"""
