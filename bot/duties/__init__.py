"""Routine duties: checks and patrols on a rhythm (a grid's officers, a community's lead, the
street's admins), each period's occurrence created once by the clock, reminded, escalated a
level up when missed, and done in chat with its checklist, finds and a summary."""
