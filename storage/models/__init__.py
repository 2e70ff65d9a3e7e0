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
    CaseStatus,
    Category,
    DepartmentGroup,
    Invite,
    MediaKind,
    Person,
    Role,
)
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
    "CaseStatus",
    "Category",
    "ConversationState",
    "Delivery",
    "DeliveryState",
    "DepartmentGroup",
    "Invite",
    "JobRun",
    "MediaKind",
    "Notice",
    "NoticePlan",
    "Person",
    "PlanStatus",
    "Role",
    "Subscription",
    "SubscriptionTopic",
    "UpdateRecord",
    "UpdateState",
    "str_enum",
]
