"""Interoperability: the formats CityPeers reads and writes (CSV, JSON, Popolo, …).

A plain package, not an app: no models and no commands of its own. The API endpoints and the
management commands of each app call into it, so a format is written once for every interface.
"""
