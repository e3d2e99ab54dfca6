"""Writes of inspection checklists: a province administrator (MANAGE_RULES on the jurisdiction) builds the
checklists of their jurisdiction from the articles of the code in force there and office checks, marks the
default one, retires one; a national checklist is a superuser's. A checklist a visit has used is never changed in
place (the visit's results refer to its items): it is copied into a new one.

Keyword-only, atomic, audited (``core.audit.save_with_history``); refusals are translated ``ValidationError``s
(every wrong input at once, nothing saved) or ``PermissionDenied``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import save_with_history
from evaluations.checklists.selectors import checklist_articles, checklist_in_use
from evaluations.choices import ItemKind
from evaluations.models import ChecklistItem, ChecklistTemplate
from pledges.models import Article
from units.models import Unit, User
from units.scope import Capability, require, scope_for


@dataclass(frozen=True)
class ChecklistLine:
    """One line of a checklist as given to the services: an article of the code, or an office check (its text)."""

    kind: str
    text: str = ""
    article: Article | None = None


def _require_rules(actor: User | None, jurisdiction: Unit | None) -> None:
    """Refuse (403) unless ``actor`` manages rules of ``jurisdiction`` (None: a national rule, superusers only)."""
    if actor is None:
        return
    if jurisdiction is None:
        if not scope_for(actor).is_global:
            raise PermissionDenied
        return
    require(actor, Capability.MANAGE_RULES, jurisdiction)


def _checked_lines(jurisdiction: Unit | None, name: str, lines, *, exclude_pk: int | None = None) -> list[ChecklistItem]:
    """The items to save for ``lines`` in order, or every refusal at once: a name (unique in the jurisdiction), at
    least one line, articles of the code in force for the jurisdiction (each once), office checks with a text."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors.setdefault("name", []).append(_("Give the checklist a name."))
    else:
        same = ChecklistTemplate.objects.filter(jurisdiction=jurisdiction, name__iexact=name.strip())
        if jurisdiction is None:
            same = same.filter(shipped_for="")
        if same.exclude(pk=exclude_pk).exists():
            errors.setdefault("name", []).append(_("A checklist with this name already exists here."))
    lines = list(lines)
    if not lines:
        errors.setdefault("__all__", []).append(_("A checklist needs at least one item: an article of the code or an office check."))
    allowed = {article.pk: article for article in checklist_articles(jurisdiction=jurisdiction)}
    items, seen = [], set()
    for line in lines:
        if line.kind == ItemKind.ARTICLE:
            article = line.article
            if article is None or article.pk not in allowed:
                errors.setdefault("articles", []).append(
                    _("Điều %(number)s is not an article of the code in force here.") % {"number": getattr(article, "number", "?")}
                )
                continue
            if article.pk in seen:
                errors.setdefault("articles", []).append(_("Điều %(number)s is listed twice.") % {"number": article.number})
                continue
            seen.add(article.pk)
            text = (line.text.strip() or f"Điều {article.number}. {article.title}")[:300]
            items.append(ChecklistItem(kind=ItemKind.ARTICLE, article=allowed[article.pk], text=text))
        elif line.kind == ItemKind.OFFICE:
            text = " ".join(line.text.split())
            if not text:
                continue
            if len(text) > 300:
                errors.setdefault("office_items", []).append(
                    _("An office check is at most 300 characters: “%(start)s…”.") % {"start": text[:40]}
                )
                continue
            items.append(ChecklistItem(kind=ItemKind.OFFICE, text=text))
        else:
            errors.setdefault("__all__", []).append(_("Unknown kind of checklist item."))
    if lines and not items and not errors:
        errors.setdefault("__all__", []).append(_("A checklist needs at least one item: an article of the code or an office check."))
    if errors:
        raise ValidationError(errors)
    for order, item in enumerate(items):
        item.order = order
    return items


def _unset_default(checklist: ChecklistTemplate, actor: User | None) -> None:
    """No other checklist of the same jurisdiction stays the default."""
    others = ChecklistTemplate.objects.select_for_update().filter(is_default=True).exclude(pk=checklist.pk)
    if checklist.jurisdiction_id is None:
        others = others.filter(jurisdiction__isnull=True, shipped_for=checklist.shipped_for)
    else:
        others = others.filter(jurisdiction_id=checklist.jurisdiction_id)
    for other in others:
        other.is_default = False
        save_with_history(other, actor=actor, reason="default", update_fields=["is_default"])


@transaction.atomic
def checklist_create(
    *, actor: User | None, jurisdiction: Unit | None, name: str, lines, is_default: bool = False
) -> ChecklistTemplate:
    """A new checklist for ``jurisdiction`` (None: national, superusers only), offered when visits there are
    planned; ``is_default``: the one preselected there (the previous default stays, no longer preselected)."""
    _require_rules(actor, jurisdiction)
    items = _checked_lines(jurisdiction, name, lines)
    checklist = ChecklistTemplate(jurisdiction=jurisdiction, name=name.strip(), is_default=False)
    checklist.full_clean()
    save_with_history(checklist, actor=actor)
    for item in items:
        item.template = checklist
    ChecklistItem.objects.bulk_create(items)
    if is_default:
        checklist_set_default(actor=actor, checklist=checklist)
        checklist.refresh_from_db()
    return checklist


@transaction.atomic
def checklist_update(*, actor: User | None, checklist: ChecklistTemplate, name: str, lines) -> ChecklistTemplate:
    """Rename a checklist and replace its items, while no visit has used it (else: copy it into a new one)."""
    checklist = ChecklistTemplate.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=checklist.pk)
    _require_rules(actor, checklist.jurisdiction)
    if checklist_in_use(checklist):
        raise ValidationError(
            _("Visits have used this checklist: it can no longer change. Copy it into a new checklist to change it."),
            code="in_use",
        )
    items = _checked_lines(checklist.jurisdiction, name, lines, exclude_pk=checklist.pk)
    checklist.name = name.strip()
    checklist.full_clean()
    save_with_history(checklist, actor=actor, reason="items")
    checklist.items.all().delete()
    for item in items:
        item.template = checklist
    ChecklistItem.objects.bulk_create(items)
    return checklist


@transaction.atomic
def checklist_copy(
    *, actor: User | None, checklist: ChecklistTemplate, jurisdiction: Unit | None, name: str = ""
) -> tuple[ChecklistTemplate, int]:
    """A new checklist of ``jurisdiction`` with ``checklist``'s items (e.g. a used one to change, or the national
    one to adapt to a province). An article of another version of the same code is replaced by the article with
    the same number in force; one of a code not in force for ``jurisdiction`` is left out. Returns the copy and
    how many items were left out."""
    _require_rules(actor, jurisdiction)
    allowed = list(checklist_articles(jurisdiction=jurisdiction))
    by_pk = {article.pk: article for article in allowed}
    by_code_number = {(article.chapter.version.code_id, article.number): article for article in allowed}
    lines, left_out = [], 0
    for item in checklist.items.select_related("article__chapter__version").order_by("order", "pk"):
        if item.kind != ItemKind.ARTICLE:
            lines.append(ChecklistLine(kind=item.kind, text=item.text))
            continue
        article = by_pk.get(item.article_id) or by_code_number.get(
            (item.article.chapter.version.code_id, item.article.number) if item.article_id else None
        )
        if article is None:
            left_out += 1
            continue
        text = item.text if article.pk == item.article_id else ""
        lines.append(ChecklistLine(kind=ItemKind.ARTICLE, article=article, text=text))
    base = name.strip() or _("%(name)s (copy)") % {"name": checklist.name}
    name, n = base[:200], 1
    while ChecklistTemplate.objects.filter(jurisdiction=jurisdiction, name__iexact=name).exists():
        n += 1
        name = f"{base[:190]} ({n})"
    copy = checklist_create(actor=actor, jurisdiction=jurisdiction, name=name, lines=lines)
    return copy, left_out


@transaction.atomic
def checklist_set_default(*, actor: User | None, checklist: ChecklistTemplate) -> ChecklistTemplate:
    """Make ``checklist`` the one preselected when a visit in its jurisdiction is planned."""
    checklist = ChecklistTemplate.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=checklist.pk)
    _require_rules(actor, checklist.jurisdiction)
    if not checklist.is_active:
        raise ValidationError(_("A retired checklist cannot be the default: offer it again first."), code="retired")
    if checklist.is_default:
        return checklist
    _unset_default(checklist, actor)
    checklist.is_default = True
    return save_with_history(checklist, actor=actor, reason="default", update_fields=["is_default"])


@transaction.atomic
def checklist_set_active(*, actor: User | None, checklist: ChecklistTemplate, active: bool) -> ChecklistTemplate:
    """Retire a checklist (no longer offered for new visits; no longer the default: the level above's applies) or
    offer it again. Visits that used it keep it."""
    checklist = ChecklistTemplate.objects.select_for_update(of=("self",)).select_related("jurisdiction").get(pk=checklist.pk)
    _require_rules(actor, checklist.jurisdiction)
    checklist.is_active = active
    if not active:
        checklist.is_default = False
    return save_with_history(
        checklist, actor=actor, reason="offered" if active else "retired", update_fields=["is_active", "is_default"]
    )
