"""Provider channels: an inbound parser and an SMS backend per provider (Twilio today)."""
