"""People administration: inviting people, their roles, workgroups and whether they may sign in,
and the audit log of every such change.

    rules.py     pure checks of an invitation's fields and of role changes
    queries.py   the users list and search, a user's workgroups, the audit log, an account's people
    service/     invitations.py (invite, resend, accept; colleagues invited by an account manager),
                 changes.py (role, workgroups, deactivate, reactivate; the last-admin rule),
                 audit.py (the one way a change is recorded)
    forms.py     the forms' shape
    routes.py    the invitee's page and the account manager's colleagues page; the admin pages are
                 the admin blueprint's (portal/admin/routes/users.py)

Who may do what is portal.policy's (the "people administration" section).
"""
