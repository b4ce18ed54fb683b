"""Community Liaison Assistants: field visits, recruitment of focal points, follow-ups and
coverage, and the alerts visits raise into the triage queue."""
