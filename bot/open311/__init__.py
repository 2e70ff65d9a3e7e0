"""Open311 GeoReport v2: the cases and categories as public records, masked (no reporters, no
officers, no photos, personal numbers hidden). The web server that serves them lives in `app`.

Imports `bot.cases`, `bot.texts`, `bot.errors` and `storage`.
"""
