"""Cases: the customer and proxy portal (dashboard, filing a case, the case page everyone shares) and
the case services and reads the rest of Caseport builds on.
- routes/   the cases blueprint, one module per page: dashboard, filing, case page (thin views)
- forms.py  the case page's and the dashboard's forms (shape rules only)
- service/  state changes: opening a case, its lifecycle, the conversation, files, the search index,
            conditional writes
- queries/  reads: the case page, the dashboard, keyword search
- rules.py  pure rules: text people leave, how stored values read, search words
The staff workspace (portal.staff) builds on this package; nothing here imports it.
"""
