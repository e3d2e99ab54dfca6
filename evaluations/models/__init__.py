"""Models of the evaluations app: monthly ratings (``ratings``) and inspection visits (``inspections``)."""

from evaluations.models.inspections import (
    ChecklistItem,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    InspectionPhoto,
    InspectionTeam,
    InspectionVisit,
)
from evaluations.models.ratings import (
    CapException,
    Criterion,
    CriterionGroup,
    Rating,
    RatingSheet,
    ScoringScheme,
    Violation,
)

__all__ = [
    "CapException",
    "ChecklistItem",
    "ChecklistResult",
    "ChecklistTemplate",
    "CorrectiveAction",
    "Criterion",
    "CriterionGroup",
    "Finding",
    "InspectionPhoto",
    "InspectionTeam",
    "InspectionVisit",
    "Rating",
    "RatingSheet",
    "ScoringScheme",
    "Violation",
]
