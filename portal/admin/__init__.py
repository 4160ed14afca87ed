"""Admin pages for the case settings: statuses, reasons, custom fields and case templates.

    routes/   the pages, by area (settings, fields, templates)
    forms.py  the forms' shape

The rules, reads and changes behind them are portal.case_config's.
"""
