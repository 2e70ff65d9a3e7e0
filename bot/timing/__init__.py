"""Time as the street office counts it: working time and holidays, quiet hours, reporting periods.

Owns pure rules about dates and times. Imports nothing of the domain: every other package may
use it.
"""
