"""Perception polls: short questionnaires asked by SMS to focal points (one question at a time,
in their language, through the broadcasts' machinery) and in the field by CLAs, with results
by question, territory and group and the comparison with the previous round.

Alerts never import this app: intake asks the answer taker it registered (polls.apps) whether
an SMS answers an open poll conversation, and broadcasts announce each SMS they made
(alerts.signals.broadcast_recipient_sent), which opens the recipient's conversation."""
