"""Town hall meetings, joint protection teams and assessment missions, and telling
communities what came of what they reported: the mission's own ways of hearing communities,
linked to the alerts and incidents the analysts work. Imports core, networks, alerts and
triage only; access, the dashboard and the API build on it."""
