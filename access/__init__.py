"""Who sees which records: the area and place scopes built from the other apps' selectors (an
analyst's areas, a CLA's places), applied by the dashboard, the API and the exports."""
