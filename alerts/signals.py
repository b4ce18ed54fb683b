"""What intake announces to the apps above it, which connect to these in their ready(): alerts
never import them."""

from django.dispatch import Signal

# Sent, within the change's transaction, after a person changed an alert's priority:
# `alert` (the saved Alert). Triage moves the acknowledge deadline and recounts the incident.
alert_priority_changed = Signal()

# Sent, within the change's transaction, after a person changed an alert's categories:
# `alert` (the saved Alert) and `by` (who). Triage acts on a threat to the reporter.
alert_categories_changed = Signal()

# Sent, within the recipient's transaction, once a broadcast recipient's SMS is made:
# `recipient` (the BroadcastRecipient, its message set). Polls open the recipient's conversation.
broadcast_recipient_sent = Signal()
