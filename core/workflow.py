"""The one small shape of a workflow: a status field and the named moves allowed between its values.

Rating sheets, inspection visits, corrective actions and feedback cases each declare their moves as a
``Workflow``; their service asks it whether a move is allowed and applies it, and raises its own translated
error when it is not. What else a move needs (a capability, a reason) travels with the transition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Transition:
    """One move: ``action`` takes a row from any of ``sources`` to ``target``. ``capability`` is what the actor
    needs on the row's unit (if the workflow checks it); ``needs_reason`` asks the actor to say why."""

    action: str
    sources: tuple[str, ...]
    target: str
    capability: str | None = None
    needs_reason: bool = False


class Workflow:
    """The allowed moves of one status field, by action name and by target status."""

    def __init__(self, transitions: Iterable[Transition], *, field: str = "status"):
        self.field = field
        self.transitions: dict[str, Transition] = {t.action: t for t in transitions}

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __contains__(self, action: str) -> bool:
        return action in self.transitions

    def actions_from(self, status: str) -> list[Transition]:
        """The moves that may start from ``status``, in the order they were declared."""
        return [t for t in self.transitions.values() if status in t.sources]

    def targets_from(self, status: str) -> frozenset[str]:
        """The statuses one move away from ``status``."""
        return frozenset(t.target for t in self.actions_from(status))

    def allows(self, status: str, action: str) -> bool:
        transition = self.transitions.get(action)
        return transition is not None and status in transition.sources

    def move(self, instance, action: str, *, refused: Callable[[], ValidationError]) -> Transition:
        """Set ``instance``'s status to where ``action`` leads, or raise ``refused()`` (the service's own
        translated error) when the move does not start from its current status. Saving is the caller's."""
        current = getattr(instance, self.field)
        if not self.allows(current, action):
            raise refused()
        transition = self.transitions[action]
        setattr(instance, self.field, transition.target)
        return transition

    def move_to(self, instance, target: str, *, refused: Callable[[], ValidationError]) -> Transition:
        """Like ``move``, naming the status to reach rather than the action."""
        current = getattr(instance, self.field)
        for transition in self.actions_from(current):
            if transition.target == target:
                setattr(instance, self.field, target)
                return transition
        raise refused()
