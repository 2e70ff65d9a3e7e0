"""The database schema as typed SQLAlchemy 2 models, one module per concern; every model is
importable from here."""

from storage.models.base import Base, str_enum
from storage.models.cases import (
    OPEN_STATUSES,
    Area,
    AreaLevel,
    Case,
    CaseCard,
    CaseEvent,
    CaseFollower,
    CaseMedia,
    CaseOwed,
    CaseStatus,
    Category,
    DepartmentGroup,
    Invite,
    MediaKind,
    Person,
    Role,
)
from storage.models.dog_cards import DogReviewCard
from storage.models.dogs import (
    Dog,
    DogBooking,
    DogDay,
    DogDaySlot,
    DogEvent,
    DogReminder,
    DogStatus,
)
from storage.models.duties import Duty, DutyFind, DutyOccurrence, Rhythm
from storage.models.groups import GroupVolunteer, ResidentGroup
from storage.models.notices import (
    Campaign,
    Delivery,
    DeliveryState,
    Notice,
    NoticePlan,
    PlanStatus,
    Subscription,
    SubscriptionTopic,
)
from storage.models.owed import Owed
from storage.models.patrol import DutyTrackPoint
from storage.models.stations import (
    FireResponse,
    Station,
    StationAlert,
    StationMember,
    StationShift,
)
from storage.models.system import (
    ConversationState,
    JobRun,
    UpdateRecord,
    UpdateState,
)

__all__ = [
    "OPEN_STATUSES",
    "Area",
    "AreaLevel",
    "Base",
    "Campaign",
    "Case",
    "CaseCard",
    "CaseEvent",
    "CaseFollower",
    "CaseMedia",
    "CaseOwed",
    "CaseStatus",
    "Category",
    "ConversationState",
    "Delivery",
    "DeliveryState",
    "DepartmentGroup",
    "Dog",
    "DogBooking",
    "DogDay",
    "DogDaySlot",
    "DogEvent",
    "DogReminder",
    "DogReviewCard",
    "DogStatus",
    "Duty",
    "DutyFind",
    "DutyOccurrence",
    "DutyTrackPoint",
    "FireResponse",
    "GroupVolunteer",
    "Invite",
    "JobRun",
    "MediaKind",
    "Notice",
    "NoticePlan",
    "Owed",
    "Person",
    "PlanStatus",
    "ResidentGroup",
    "Rhythm",
    "Role",
    "Station",
    "StationAlert",
    "StationMember",
    "StationShift",
    "Subscription",
    "SubscriptionTopic",
    "UpdateRecord",
    "UpdateState",
    "str_enum",
]
