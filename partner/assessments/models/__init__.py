"""The assessment vendor's data: client accounts, their SmartRecruiters integrations,
the tokens we issue, packages of tests, orders, results and the results outbox.

Vocabulary follows the Assessment API 2021 contract (/work/shared/smartrecruiters/
assessment-api.md): the **P-pair** is the credential pair we mint and SmartRecruiters (SR)
uses to call us; the **SR-pair** is the pair SR gives us to call it back.
"""

from partner.assessments.models.accounts import AccessToken, ClientAccount, Integration
from partner.assessments.models.common import (
    TERMINAL_STATUSES,
    AssessmentType,
    Named,
    PrivateStorage,
    ResultStatus,
    private_storage,
)
from partner.assessments.models.orders import (
    Answer,
    AnswerFile,
    AssessmentResult,
    Order,
    OrderEvent,
    Outcome,
    ResultPush,
)
from partner.assessments.models.packages import (
    MANUAL_QUESTION_KINDS,
    Assessment,
    CandidateTask,
    Choice,
    Package,
    Question,
)

__all__ = [
    "MANUAL_QUESTION_KINDS",
    "TERMINAL_STATUSES",
    "AccessToken",
    "Answer",
    "AnswerFile",
    "Assessment",
    "AssessmentResult",
    "AssessmentType",
    "CandidateTask",
    "Choice",
    "ClientAccount",
    "Integration",
    "Named",
    "Order",
    "OrderEvent",
    "Outcome",
    "Package",
    "PrivateStorage",
    "Question",
    "ResultPush",
    "ResultStatus",
    "private_storage",
]
