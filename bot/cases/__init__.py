"""A case from filing to closing: the lifecycle (every status change, who may make it, its audit
event), the desk that carries out an action and what follows it (cards, news to the reporter and
followers), what staff and residents may read, the work queue, search, and masking of personal
numbers.

Imports `bot.people`, `bot.places`, `bot.categories`, `bot.timing`, `bot.texts`, `bot.errors` and
`storage`; never reports, deadlines, notices or figures (they build on cases).
"""
