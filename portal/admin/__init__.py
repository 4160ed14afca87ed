"""Admin pages: case settings (statuses, reasons, fields, templates)."""
