"""Who may see a dog's owner and review or list dogs: one function per question.

The staff of a community are its leads and the officers of its grids; admins are staff of the
whole street. They review the dogs of their community, list them, and see their owners' names
and contacts. Nobody else sees an owner but the owner.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PoliteError
from bot.places.tree import within
from storage.models import Area, AreaLevel, Dog, Person, Role

STAFF = frozenset({Role.OFFICER, Role.LEAD, Role.ADMIN})


async def community_of(session: AsyncSession, area_id: int | None) -> int | None:
    """The community an area belongs to (a grid's parent, a community itself)."""
    area = await session.get(Area, area_id) if area_id is not None else None
    if area is None or area.level == AreaLevel.STREET:
        return None
    return area.id if area.level == AreaLevel.COMMUNITY else area.parent_id


async def staff_community(session: AsyncSession, person: Person) -> int | None:
    """The community a lead or an officer works in (None for everyone else)."""
    if person.banned or person.role not in (Role.LEAD, Role.OFFICER):
        return None
    return await community_of(session, person.area_id)


def is_staff_of(person: Person, dog_community: int | None, person_community: int | None) -> bool:
    """The rule itself: an admin, or staff whose community is the dog's."""
    if person.banned or person.role not in STAFF:
        return False
    if person.role == Role.ADMIN:
        return True
    return person_community is not None and person_community == dog_community


async def may_review(session: AsyncSession, person: Person | None, dog: Dog) -> bool:
    """Whether someone is staff of the dog's community (reviews it, reads its owner)."""
    if person is None:
        return False
    return is_staff_of(
        person,
        await community_of(session, dog.area_id),
        await staff_community(session, person),
    )


async def sees_owner(session: AsyncSession, person: Person | None, dog: Dog) -> bool:
    """Whether someone may see who owns the dog and where: the owner, the staff of its
    community and admins; never other residents or other communities' staff."""
    if person is not None and person.id == dog.owner_id:
        return True
    return await may_review(session, person, dog)


async def register_areas(session: AsyncSession, person: Person) -> set[int] | None:
    """The areas whose dogs someone may list: None for an admin (the whole street), the
    community and its grids for a lead or an officer; anyone else is refused."""
    if not person.banned and person.role == Role.ADMIN:
        return None
    community = await staff_community(session, person)
    if community is None:
        raise PoliteError("error.not_allowed")
    return await within(session, [community])
