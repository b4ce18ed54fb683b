"""The REST API (/api/v1/): thin DRF views over the apps' services and selectors, one package
per app, each endpoint naming the capability it needs (core.permissions)."""
