"""Case configuration: statuses, reasons, custom fields, case templates, and the one form builder."""
