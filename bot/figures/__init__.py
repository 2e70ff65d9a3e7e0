"""The street's figures: the indicators of the digital city management standard (GB/T 30428) per
area and category, what /stats shows, charts and maps (with a CJK font), and the monthly red/black
list (红黑榜), published as a notice.

Imports `bot.cases`, `bot.deadlines`, `bot.notices`, `bot.people`, `bot.timing`, `bot.texts` and
`storage`: figures read everything and nothing reads figures but the register and chat.
"""
