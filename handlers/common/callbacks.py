"""Callback data of every inline button: short versioned prefixes, ids and actions only.

Nothing in callback data is trusted: handlers check on the server who may do what. Every number
is a database id or a small index, so one that is negative or beyond 31 bits does not parse: the
press then reaches the fallback router's "this button is no longer valid", not a query.
"""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from storage.types import KEY_LIMIT

# What fits a database id: the tables' keys are INTEGER, 32 bits on PostgreSQL (a larger number
# would make the query itself fail there).
Id = Annotated[int, Field(ge=0, lt=KEY_LIMIT)]


class LanguageChoice(CallbackData, prefix="v1lang"):
    code: str


class Nav(StrEnum):
    """What a report button does; short values keep callback data small."""

    BACK = "b"
    CANCEL = "c"
    PHOTOS_DONE = "pd"
    NOT_THERE = "nt"
    SUBMIT = "s"
    EDIT = "e"
    EDIT_PART = "ep"
    SUMMARY = "sm"
    ANONYMOUS = "a"
    FOLLOW = "f"
    DIFFERENT = "d"
    COMMUNITY = "cm"
    SELF_HANDLE = "sh"
    SHARE = "id"
    DOG_SKIP = "ds"


class ReportCategory(CallbackData, prefix="v1rc"):
    case_id: Id
    category_id: Id


class ReportAnswer(CallbackData, prefix="v1ra"):
    case_id: Id
    key: str
    option: str


class ReportNav(CallbackData, prefix="v1rn"):
    case_id: Id
    action: Nav
    target: Id = 0


class CaseOpen(CallbackData, prefix="v1co"):
    case_id: Id


class CaseFollow(CallbackData, prefix="v1cf"):
    """Follow a case opened from its link (bot.cases.links)."""

    case_id: Id


class PosterMake(CallbackData, prefix="v1pst"):
    """A grid's poster for one category (0: none)."""

    grid_id: Id
    category_id: Id = 0


class CasePage(CallbackData, prefix="v1cl"):
    page: Id


class Verdict(StrEnum):
    FIXED = "y"
    NOT_FIXED = "n"
    RATE = "r"
    SKIP = "s"
    INFO = "i"
    NOTHING = "x"  # nothing to add to an officer's question


class WithdrawStep(StrEnum):
    """Where a withdrawal is: asked, confirmed without a reason, or given up."""

    ASK = "a"
    NOW = "n"
    KEEP = "k"


class Withdraw(CallbackData, prefix="v1wd"):
    case_id: Id
    step: WithdrawStep


class Feedback(CallbackData, prefix="v1fb"):
    case_id: Id
    verdict: Verdict
    value: Id = 0


class Duty(StrEnum):
    """What an officer's card button does."""

    ACCEPT = "a"
    ASK = "q"
    TRANSFER = "t"
    TO_GRID = "g"
    REJECT = "r"
    REASON = "rr"
    RESOLVE = "s"
    NO_PHOTO = "np"
    MERGE = "m"
    NOTE = "n"


class CaseDuty(CallbackData, prefix="v1od"):
    case_id: Id
    duty: Duty
    target: Id = 0


class NoticeAck(CallbackData, prefix="v1ak"):
    notice_id: Id


class Sub(StrEnum):
    """What a subscription button does."""

    AREA = "a"
    TOPIC = "t"
    ALL_TOPICS = "at"
    TOPICS = "ts"
    PLACE = "p"
    DONE = "d"


class SubPick(CallbackData, prefix="v1sb"):
    action: Sub
    value: Id = 0


class Step(StrEnum):
    """A button of the notice and campaign composer."""

    KIND = "k"
    SCOPE = "s"
    AREA = "a"
    AREAS_DONE = "ad"
    TOPIC = "t"
    WHEN = "w"
    ACK = "ak"
    URGENT = "u"
    SEND = "ok"
    CANCEL = "c"
    PHASE_TEXT = "pt"  # a campaign phase's suggested text, taken (value: the phase's index)


class Compose(CallbackData, prefix="v1nc"):
    step: Step
    value: str = ""


class PlanAction(StrEnum):
    VIEW = "v"
    PAUSE = "p"
    RESUME = "r"
    CANCEL = "c"


class PlanManage(CallbackData, prefix="v1pm"):
    plan_id: Id
    action: PlanAction


class PlanFilter(StrEnum):
    """Which plans /notices lists."""

    ALL = "a"
    CURRENT = "c"  # active or paused: still to run, or running
    FINISHED = "f"  # done or cancelled


class PlanPage(CallbackData, prefix="v1pp"):
    """A page of /notices, with its filter."""

    which: PlanFilter
    page: Id


class CampaignAction(StrEnum):
    VIEW = "v"
    STOP = "s"  # the whole campaign
    STOP_PHASE = "p"  # the phase `phase` (its index)


class CampaignManage(CallbackData, prefix="v1cm"):
    """A campaign of /notices: open it, stop it, or stop one of its phases."""

    campaign_id: Id
    action: CampaignAction
    phase: Id = 0


class RankingPublish(CallbackData, prefix="v1rbl"):
    """Publish the red/black list of a month as a notice (admins only, once per month)."""

    year: Id
    month: Id


class DogStep(StrEnum):
    """A button of the dog registration form."""

    START = "st"
    BREED = "br"
    SIZE = "sz"
    SEX = "sx"
    COMMUNITY = "cm"
    GRID = "gr"
    SUBMIT = "ok"
    BACK = "b"
    CANCEL = "c"


class DogForm(CallbackData, prefix="v1df"):
    step: DogStep
    value: str = ""


class DogOpen(CallbackData, prefix="v1do"):
    dog_id: Id


class DogDo(StrEnum):
    """What an owner's button on their dog's page does."""

    VACCINATE = "v"
    LOST = "l"
    FOUND = "f"
    DEAD = "d"
    REHOMED = "r"
    RESUBMIT = "rs"
    KEEP = "k"  # changed their mind


class DogOwner(CallbackData, prefix="v1dw"):
    dog_id: Id
    action: DogDo
    confirmed: bool = False


class DogVerdict(StrEnum):
    APPROVE = "a"
    RETURN = "r"  # shows the reasons
    REASON = "rr"


class DogReview(CallbackData, prefix="v1dr"):
    dog_id: Id
    verdict: DogVerdict
    reason: Id = 0


class DogPage(CallbackData, prefix="v1dp"):
    """A page of the staff's register (`lapsed`: only dogs whose vaccination lapsed)."""

    page: Id
    lapsed: bool = False


class FireGo(CallbackData, prefix="v1fg"):
    """On my way, under a fire's alert: the response's id (checked against the station)."""

    response_id: Id


class DogDayDo(StrEnum):
    """A staff button of an immunisation day."""

    ANNOUNCE = "a"
    DISCARD = "d"
    BOOKINGS = "b"


class DogDayAct(CallbackData, prefix="v1dd"):
    day_id: Id
    action: DogDayDo


class DogBook(CallbackData, prefix="v1db"):
    """Book a slot of an immunisation day (`dog_id` 0: the owner has not picked a dog yet)."""

    slot_id: Id
    dog_id: Id = 0


class DogCame(CallbackData, prefix="v1dc"):
    """Staff mark that a booked dog came to its immunisation day."""

    booking_id: Id


class DogClaim(CallbackData, prefix="v1dv"):
    """Staff confirm or refuse an owner's newer vaccination (its certificate photographed)."""

    claim_id: Id
    confirm: bool


class CameStep(StrEnum):
    """A button of the question for a come dog's new certificate number."""

    NO_CERTIFICATE = "n"
    BACK = "b"
    CANCEL = "c"


class DogCameStep(CallbackData, prefix="v1dk"):
    booking_id: Id
    step: CameStep


class DutyDo(StrEnum):
    """What a routine duty's button does."""

    OPEN = "o"  # start it, or go on with it
    TICK = "t"  # tick a checklist item, or untick it
    FINISH = "f"  # the summary (and photos) next


class DutyRun(CallbackData, prefix="v1du"):
    occurrence_id: Id
    do: DutyDo
    item: Id = 0


class DutyReportDo(StrEnum):
    """A report duty's figures: a step back, cancel, or file them."""

    BACK = "b"
    CANCEL = "c"
    CONFIRM = "k"


class DutyReportStep(CallbackData, prefix="v1dq"):
    occurrence_id: Id
    do: DutyReportDo


class DutyFindStart(CallbackData, prefix="v1dx"):
    """File a find from inside a duty (the report flow, marked as the officer's own find)."""

    occurrence_id: Id
