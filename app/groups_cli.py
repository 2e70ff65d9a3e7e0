"""The command line's residents' groups: `groups add` sets up a group (and its leader),
`groups list` prints them with their leaders and volunteer counts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.db import Database


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("groups", help="residents' groups and their volunteer patrols")
    actions = parser.add_subparsers(dest="groups_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="set up a residents' group (or rename it)")
    add.add_argument("--code", required=True, help="the group's code, e.g. JN01-G1")
    add.add_argument("--name", required=True, help="its name, e.g. 幸福社区第一居民小组")
    add.add_argument("--community", required=True, help="the community's area code")
    add.add_argument("--leader", help="the leader's Telegram id (they must have written first)")
    actions.add_parser("list", help="print the groups, leaders and volunteer counts")


async def set_up(database: Database, args: argparse.Namespace) -> None:
    from bot.people import groups
    from bot.people.menus import owe_menu
    from bot.people.registration import lookup

    group = await groups.set_up(database, args.code, args.name, args.community)
    line = f"residents' group {group.code} ({group.name}) set up"
    if args.leader:
        leader = await groups.set_leader(database, group, await lookup(database, args.leader))
        await owe_menu(database, leader.id)  # the running bot sets their new menu
        line += f", led by {leader.name or leader.tg_id}"
    print(line)


async def list_groups(database: Database) -> None:
    from bot.people import groups

    for group in await groups.every(database):
        team = await groups.team(database, group)
        leader = (team.leader.name or str(team.leader.tg_id)) if team.leader else "-"
        print(f"{group.code}\t{group.name}\tleader: {leader}\tvolunteers: {len(team.volunteers)}")
