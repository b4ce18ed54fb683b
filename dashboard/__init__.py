"""The analysts' web dashboard (/dashboard/): the queue, the alert page and its follow-up,
incidents, broadcasts, the map and the statistics. No models: it shows what the apps own."""
