"""Intake: every SMS, call and hand-raised alert lands here first, stored before anything else;
channels, webhooks, the spool, alerts and their states, threads, outbound SMS and broadcasts."""
