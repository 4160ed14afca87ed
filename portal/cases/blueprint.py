"""The cases blueprint, shared by the view modules that routes.py gathers."""

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")
