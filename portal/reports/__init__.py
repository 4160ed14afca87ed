"""Reports for supervisors and admins: what is open, what was closed by whom, how fast the team answers
and closes, what customers think, and how the backlog moves. Figures come from SQL aggregates over
indexed columns (portal.reports.queries); charts are SVG drawn on the server (portal.reports.charts)."""
