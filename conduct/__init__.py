"""Community-based complaint mechanisms (CBCM): confidential complaints of sexual exploitation
and abuse by peacekeepers, brought by community-elected CBCM members.

Complaints live here, apart from the alerts: only the `conduct` role (conduct and discipline
staff) reads them, and every reading is recorded in the complaint's own audit trail. They come
in three ways: a form or the API (conduct staff, or a CLA entering a member's complaint); an
SMS to the dedicated keyword or number (settings CONDUCT_SMS_KEYWORDS, CONDUCT_SMS_NUMBERS),
diverted at intake before any alert exists; an ordinary SMS that triage recognises
(conduct.detection), whose text triage moves here while the general queue keeps a stub saying
only that a confidential report came from a territory, with its priority.

Hooks, registered in ConductConfig.ready so the lower apps never import this one:
alerts.services.inbound_diversion_register and triage.services.confidential_route_register."""
