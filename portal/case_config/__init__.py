"""Case configuration: statuses, reasons, custom fields, case templates, and the one form builder.

    service/         admin changes: statuses, reasons, fields, templates (see its __init__)
    queries.py       reads: the templates a user may use, a template's layout, the lists admins edit
    rules.py         pure rules: field values, format patterns, conditions, the text admins type
    form_builder.py  a template as a WTForms form, and the single validator of submitted case values

Its pages are in portal.admin; the case forms it builds are filled in on the cases and staff pages.
"""
