"""A resident's report while it is written and when it is filed: the draft case step by step,
its photos (kept as Telegram file ids and downloaded into the media store), and the limits on
filing.

Imports `bot.cases` (filing is a lifecycle action), `bot.categories`, `bot.places`,
`bot.telegram`, `bot.texts`, `bot.errors` and `storage`.
"""
