"""Callback data of every inline button: short versioned prefixes, ids and actions only.

Nothing in callback data is trusted: handlers check on the server who may do what.
"""

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


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


class ReportCategory(CallbackData, prefix="v1rc"):
    case_id: int
    category_id: int


class ReportAnswer(CallbackData, prefix="v1ra"):
    case_id: int
    key: str
    option: str


class ReportNav(CallbackData, prefix="v1rn"):
    case_id: int
    action: Nav
    target: int = 0


class CaseOpen(CallbackData, prefix="v1co"):
    case_id: int


class CasePage(CallbackData, prefix="v1cl"):
    page: int


class Verdict(StrEnum):
    FIXED = "y"
    NOT_FIXED = "n"
    RATE = "r"
    SKIP = "s"
    INFO = "i"


class Feedback(CallbackData, prefix="v1fb"):
    case_id: int
    verdict: Verdict
    value: int = 0


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
    case_id: int
    duty: Duty
    target: int = 0


class NoticeAck(CallbackData, prefix="v1ak"):
    notice_id: int


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
    value: int = 0


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


class Compose(CallbackData, prefix="v1nc"):
    step: Step
    value: str = ""


class PlanAction(StrEnum):
    VIEW = "v"
    PAUSE = "p"
    RESUME = "r"
    CANCEL = "c"


class PlanManage(CallbackData, prefix="v1pm"):
    plan_id: int
    action: PlanAction


class RankingPublish(CallbackData, prefix="v1rbl"):
    """Publish the red/black list of a month as a notice (admins only, once per month)."""

    year: int
    month: int
