"""Case configuration: statuses, reasons, custom fields, case templates, and the one case form.

    service/         admin changes (statuses, reasons, fields, templates) and the one validator of case values
    queries.py       reads: the templates a user may use, a template's layout, the lists admins edit
    rules.py         pure rules: field values, format patterns, conditions, the text admins type, field names
    forms.py         the one case form: a template as a WTForms form class for an audience

Its pages are in portal.admin; the case forms it builds are filled in on the cases and staff pages.
"""
