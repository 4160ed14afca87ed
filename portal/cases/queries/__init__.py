"""Reads about cases; every list starts from policy.case_visibility(user), every single case from
case_for_viewer(), so a read can only return what its viewer may see.
- case_page.py  the case a viewer may see and what its page shows: values, feed, files, customers, next steps
- dashboard.py  the dashboard: a user's cases filtered, searched, counted by status group and paginated
"""
