"""The network handover archive: everything a local organisation needs to run the networks the
mission hands over, exported from one Kengele instance and imported into another.

`services` exports and imports, `archive` is the file format (a zip of JSON lines, encrypted
with a passphrase), `context` holds what both directions share (archive-local ids, errors), and
each app dumps and loads its own rows (`rows` here, `lpc.handover`, `cla.handover`).
"""
