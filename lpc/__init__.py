"""Local Protection Committees: committees, members, meetings, decisions and action points,
and the alerts their meetings raise into the triage queue."""
