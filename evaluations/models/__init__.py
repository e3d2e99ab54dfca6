"""Models of the evaluations app: monthly ratings (``ratings``), inspection visits (``inspections``), the
handling of violations (``discipline``) and the annual classification (``annual``)."""

from evaluations.models.annual import AnnualClassification, AnnualList
from evaluations.models.discipline import DisciplinaryDecision
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
    "AnnualClassification",
    "AnnualList",
    "CapException",
    "ChecklistItem",
    "ChecklistResult",
    "ChecklistTemplate",
    "CorrectiveAction",
    "Criterion",
    "CriterionGroup",
    "DisciplinaryDecision",
    "Finding",
    "InspectionPhoto",
    "InspectionTeam",
    "InspectionVisit",
    "Rating",
    "RatingSheet",
    "ScoringScheme",
    "Violation",
]
