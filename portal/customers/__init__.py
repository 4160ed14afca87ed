"""Customer profiles, accounts (organisations) and their assets, managed by staff.

    routes.py   the staff pages
    forms.py    the forms' shape
    service.py  creating and changing profiles, accounts and assets; joining a verified user to a profile
    queries.py  search and the pages' reads, each asking the policy
    rules.py    pure logic: reading a search, telling possible duplicates apart
"""
