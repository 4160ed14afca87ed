"""Reads about cases. Lists are limited by policy.case_visibility(user) and a single case comes through
case_for_viewer(), so a page can only show what its viewer may see.
- case_page.py  the case a viewer may see and what its page shows: values, feed, files, customers, next steps
- dashboard.py  the dashboard: a user's cases filtered, searched, counted by status group and paginated
- search.py     keyword search: the cases whose public or staff search document matches the words typed
"""
