"""The domain: what the street office does, in packages by concern.

    timing      working time, quiet hours, reporting periods            (imports nothing of bot)
    places      areas, boundaries, spatial index, routing by location
    telegram    the Bot and its session, throttle, command menus, Telegram's limits
    categories  the street's categories and department groups
    people      people, staff and invites, bans, scope
    cases       the lifecycle, the desk and its cards, news, views, queue, find, masking
    reports     a resident's draft, its photos, the limits on filing
    deadlines   escalation and the digest
    notices     plans, campaigns, audience, subscriptions, outbox, sender
    figures     indicators, /stats, charts, maps, the red/black list
    register    the case register (.xlsx, CSV)
    open311     the Open311 feed
    texts       the catalogues (zh, en);  errors, config: shared by all

A package imports only the ones above it in this list (texts, errors and config from anywhere),
and never `handlers` or `app`: `pyproject.toml`'s import contracts say so and CI checks them.
"""
