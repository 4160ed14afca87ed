"""The cases blueprint: the customer and proxy portal's pages and the case page everyone shares.

Each module holds the views of one page (or flow) and says which URLs they answer in its register();
the blueprint is built here from those calls, so this file lists everything it serves:
- dashboard.py  the signed-in user's cases (cases.dashboard)
- filing.py     opening a case, for oneself or for a customer (cases.new, cases.new_from_template)
- case_page.py  the case page and what people do on it (cases.detail, comments, resolution, files ...)
"""

from flask import Blueprint

from portal.cases.routes import case_page, dashboard, filing

bp = Blueprint("cases", __name__, url_prefix="/cases")
case_page.register(bp)
dashboard.register(bp)
filing.register(bp)

__all__ = ["bp"]
