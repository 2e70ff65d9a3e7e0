"""People and their roles: registering whoever writes, staff (officers, leads, admins) and their
invites, bans, the organisation as leads and admins see it, and the scope of what a lead or an
admin may look at.

Imports `bot.places`, `bot.timing`, `bot.texts`, `bot.errors` and `storage`; never cases, notices
or figures (they build on people).
"""
