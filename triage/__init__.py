"""What an alert means and who acts on it: language, categories, priority, place, incidents,
assignment, deadlines and escalation, the watchdog. Reads intake's alerts."""
