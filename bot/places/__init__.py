"""Where things are: the area tree (street, communities, grids) and its boundaries, GeoJSON import,
the cached spatial index, distances, and routing (who gets a case of a place).

Imports only `storage` and `bot.errors`: places know nothing of cases' lifecycle, notices or chat.
"""
