"""Micro fire stations (微型消防站): the register, the alert of a fire to the nearest station,
its backup after 60 s without 出发, the arrival on site, and the figures of three minutes."""
