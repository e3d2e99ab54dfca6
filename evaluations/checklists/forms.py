"""Forms of inspection checklists: they shape input; ``evaluations.checklists.services`` decides and saves.

A checklist is written as the articles of the code in force for its jurisdiction (ticked) and office checks (one a
line); the items are ordered articles first (in the code's order) then office checks (in the order typed), or the
other way round.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.checklists.services import ChecklistLine
from evaluations.choices import ItemKind
from pledges.models import Article

ARTICLES_FIRST, OFFICE_FIRST = "articles", "office"


class ArticleMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, article):
        return f"Điều {article.number}. {article.title}"


class ChecklistForm(forms.Form):
    """A checklist's name and items. ``articles``: those of the code in force for its jurisdiction; ``with_default``:
    offer to make it the jurisdiction's default (a new checklist)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    articles = ArticleMultipleChoiceField(
        label=_("Articles of the code checked"), queryset=Article.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The articles of the code of conduct in force for the jurisdiction."),
    )
    office_items = forms.CharField(
        label=_("Office checks"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One a line, in the order inspectors go through them: for example “Quy tắc ứng xử được niêm yết tại trụ sở”."),
    )
    order = forms.ChoiceField(
        label=_("Order"), widget=forms.RadioSelect, initial=ARTICLES_FIRST, required=False,
        choices=((ARTICLES_FIRST, _("Articles first, then office checks")), (OFFICE_FIRST, _("Office checks first, then articles"))),
    )
    is_default = forms.BooleanField(
        label=_("Default checklist of the jurisdiction"), required=False,
        help_text=_("Preselected when a visit to a unit of the jurisdiction is planned."),
    )

    def __init__(self, *args, articles, with_default: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["articles"].queryset = articles
        if not with_default:
            del self.fields["is_default"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def lines(self) -> list[ChecklistLine]:
        """The items in order, as the services take them."""
        data = self.cleaned_data
        articles = [ChecklistLine(kind=ItemKind.ARTICLE, article=article) for article in data["articles"]]
        office = [ChecklistLine(kind=ItemKind.OFFICE, text=line) for line in data["office_items"].splitlines() if line.strip()]
        return office + articles if data["order"] == OFFICE_FIRST else articles + office

    @staticmethod
    def initial_for(checklist, items) -> dict:
        """The form's initial values for an existing checklist."""
        articles = [item.article_id for item in items if item.kind == ItemKind.ARTICLE]
        office = [item.text for item in items if item.kind == ItemKind.OFFICE]
        first = items[0].kind if items else ItemKind.ARTICLE
        return {
            "name": checklist.name,
            "articles": articles,
            "office_items": "\n".join(office),
            "order": OFFICE_FIRST if first == ItemKind.OFFICE and articles else ARTICLES_FIRST,
        }


class ChecklistCopyForm(forms.Form):
    """Where a copy goes (``jurisdictions``: the units the user manages rules of) and its name."""

    jurisdiction = forms.ModelChoiceField(label=_("For"), queryset=None, required=False)
    name = forms.CharField(label=_("Name of the copy"), max_length=200, required=False)

    def __init__(self, *args, jurisdictions, national: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["jurisdiction"]
        field.queryset = jurisdictions
        field.required = not national
        field.empty_label = _("Whole country (national default)") if national else None
