"""The REST API: Powertools routers over the data layer, served by the `api` Lambda under /api."""
