"""Who is in the networks, and where: places (the gazetteer), CANs, focal points (encrypted),
memberships and equipment, with the audit trail and the handover archive. Imports only core."""
