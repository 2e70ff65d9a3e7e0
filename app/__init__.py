"""The composition root: the command line, the wiring of the database, the Bot, the Dispatcher
and the domain's services, the runners (polling, webhook, replay), the web server (webhook,
Open311, metrics), the clock (the scheduler's jobs as one table) and the patches on libraries'
internals, installed only from here.

Imports everything; nothing imports it (but `bot/__main__.py`, the door of `python -m bot`).
"""
