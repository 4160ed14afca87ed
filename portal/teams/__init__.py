"""Workgroups (teams of agents and supervisors) and their members, managed by admins.

    routes.py   the admin pages
    forms.py    the forms' shape
    service.py  creating, changing and (de)activating workgroups; adding and removing members
    queries.py  the pages' reads, and the workgroups and members other features ask about
"""
