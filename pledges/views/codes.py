"""The codes of conduct: their published text, readable by anyone (staff before they sign, citizens who want to
know the rules), and the pages where a province administrator writes a code of their jurisdiction.

Writing a code: its particulars (decision, date, issuer, audience), then chapters and articles in a draft version,
then publishing it; "new version" copies the published text into a new draft. The management pages are scoped: a
code that does not concern the user's units is a 404; without MANAGE_RULES anywhere they are a 403; changing a code
needs MANAGE_RULES on its jurisdiction (a national default: superusers only), else 403. The services decide.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from core.forms import add_service_errors
from pledges import selectors, services
from pledges.choices import VersionStatus
from pledges.forms import ArticleForm, ChapterForm, CodeForm, PublishForm
from pledges.models import Article, CodeOfConduct, CodeVersion
from units.mixins import ScopeRequiredMixin
from units.scope import Capability, scope_for


class CodeListView(TemplateView):
    """The codes concerning the user (anyone: every published code), grouped by where they apply. Few queries."""

    template_name = "pledges/code_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        codes = list(selectors.code_list(user=user))
        manageable = set()
        can_create = False
        if user.is_authenticated:
            can_create = scope_for(user).can_anywhere(Capability.MANAGE_RULES)
            if can_create:
                manageable = set(selectors.code_manageable(user=user).filter(pk__in=[c.pk for c in codes]).values_list("pk", flat=True))
        context.update(codes=[(code, code.pk in manageable) for code in codes], can_create=can_create)
        return context


class CodeDetailView(DetailView):
    """The published text of one code, chapter by chapter, laid out to be read on screen or printed."""

    template_name = "pledges/code_detail.html"
    context_object_name = "code"

    def get_object(self, queryset=None):
        return get_object_or_404(CodeOfConduct.objects.select_related("jurisdiction"), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["version"] = selectors.code_current_version(code=self.object)
        user = self.request.user
        context["can_manage"] = user.is_authenticated and selectors.code_can_manage(user=user, code=self.object)
        return context


# --- Writing a code -----------------------------------------------------------------------------------------------


class CodeCreateView(ScopeRequiredMixin, FormView):
    """A new code for a jurisdiction where the user manages rules (403 for those who may nowhere)."""

    template_name = "pledges/code_form.html"
    form_class = CodeForm
    required_capability = Capability.MANAGE_RULES

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "jurisdictions": selectors.code_jurisdictions_to_manage(user=self.request.user),
            "national": self.scope.is_global,
        }

    def form_valid(self, form):
        try:
            code = services.code_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The code “%(title)s” was created: write its chapters and articles, then publish it.")
                         % {"title": code.title})
        return redirect("pledges:code_version_detail", pk=code.versions.get().pk)


class _CodeRulesMixin(ScopeRequiredMixin):
    """A page about one code (or one of its versions, chapters, articles): 404 when the code does not concern the
    user's units; 403 without MANAGE_RULES anywhere; for a page that changes it (``edits``), 403 unless the user
    manages rules of the code's jurisdiction (a national code: superusers only)."""

    edits = True

    def get_rules_object(self):
        raise NotImplementedError

    def code_of(self, obj) -> CodeOfConduct:
        return obj.code

    def get_scoped_object(self):
        obj = self.get_rules_object()  # 404 outside the user's concern
        if not self.scope.can_anywhere(Capability.MANAGE_RULES):
            raise PermissionDenied
        self.code = self.code_of(obj)
        self.can_manage = selectors.code_can_manage(user=self.request.user, code=self.code)
        if self.edits and not self.can_manage:
            raise PermissionDenied
        return obj

    def refused(self, error: ValidationError, to: str):
        for message in error.messages:
            messages.error(self.request, message)
        return redirect(to)


class CodeVersionsView(_CodeRulesMixin, TemplateView):
    """A code's particulars and versions, with what the user may do: correct it before its first publication,
    start a new version, open the draft."""

    template_name = "pledges/code_versions.html"
    scoped_object_name = "code"
    edits = False

    def get_rules_object(self):
        return selectors.code_get_for_user(user=self.request.user, slug=self.kwargs["slug"])

    def code_of(self, obj):
        return obj

    def get_context_data(self, **kwargs):
        versions = list(selectors.code_versions(code=self.code))
        return super().get_context_data(
            code=self.code,
            versions=versions,
            can_manage=self.can_manage,
            has_draft=any(v.status == VersionStatus.DRAFT for v in versions),
            ever_published=any(v.status != VersionStatus.DRAFT for v in versions),
            **kwargs,
        )


class CodeUpdateView(_CodeRulesMixin, FormView):
    """Correct a code's particulars while it was never published."""

    template_name = "pledges/code_form.html"
    form_class = CodeForm
    scoped_object_name = "code"

    def get_rules_object(self):
        return selectors.code_get_for_user(user=self.request.user, slug=self.kwargs["slug"])

    def code_of(self, obj):
        return obj

    def get_initial(self):
        code = self.code
        return {field: getattr(code, field) for field in services.CODE_FIELDS}

    def form_valid(self, form):
        try:
            services.code_update(actor=self.request.user, code=self.code, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The particulars of the code were saved."))
        return redirect("pledges:code_versions", slug=self.code.slug)

    def get_context_data(self, **kwargs):
        return super().get_context_data(code=self.code, **kwargs)


class CodeVersionCreateView(_CodeRulesMixin, View):
    """Start a new draft as a copy of the published text (POST)."""

    scoped_object_name = "code"

    def get_rules_object(self):
        return selectors.code_get_for_user(user=self.request.user, slug=self.kwargs["slug"])

    def code_of(self, obj):
        return obj

    def post(self, request, *args, **kwargs):
        try:
            draft = services.code_version_draft_create(actor=request.user, code=self.code)
        except ValidationError as error:
            return self.refused(error, reverse("pledges:code_versions", args=[self.code.slug]))
        messages.success(request, _("Version %(number)s was started from the published text: edit it, then publish it.")
                         % {"number": draft.number})
        return redirect("pledges:code_version_detail", pk=draft.pk)


class CodeVersionDetailView(_CodeRulesMixin, TemplateView):
    """One version's text; a draft with the forms to change it, publish it or throw it away."""

    template_name = "pledges/code_version_detail.html"
    scoped_object_name = "version"
    edits = False

    def get_rules_object(self):
        return selectors.code_version_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        version = selectors.code_version_outline(version_id=self.version.pk)
        editable = self.can_manage and version.is_editable and not version.campaign_count
        return super().get_context_data(
            code=version.code,
            version=version,
            editable=editable,
            chapter_form=ChapterForm(initial={"number": len(version.chapters.all()) + 1}) if editable else None,
            publish_form=PublishForm() if editable else None,
            **kwargs,
        )


class CodeVersionPublishView(_CodeRulesMixin, View):
    """Publish a draft (POST): it becomes the code's text in force, the previous one is superseded."""

    scoped_object_name = "version"

    def get_rules_object(self):
        return selectors.code_version_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        form = PublishForm(request.POST)
        notes = form.cleaned_data["notes"] if form.is_valid() else ""
        try:
            version = services.code_version_publish(actor=request.user, version=self.version, notes=notes)
        except ValidationError as error:
            return self.refused(error, reverse("pledges:code_version_detail", args=[self.version.pk]))
        messages.success(request, _("Version %(number)s of %(code)s is published and in force; the previous one is superseded.")
                         % {"number": version.number, "code": version.code.decision_number})
        return redirect("pledges:code_versions", slug=version.code.slug)


class CodeVersionDiscardView(_CodeRulesMixin, View):
    """Throw a draft away (POST)."""

    scoped_object_name = "version"

    def get_rules_object(self):
        return selectors.code_version_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        try:
            code = services.code_version_discard(actor=request.user, version=self.version)
        except ValidationError as error:
            return self.refused(error, reverse("pledges:code_version_detail", args=[self.version.pk]))
        messages.success(request, _("The draft was discarded."))
        return redirect("pledges:code_versions", slug=code.slug)


class _DraftFormMixin(_CodeRulesMixin):
    """A form changing a draft: shown only while the version may change (else back to the version, with why)."""

    template_name = "pledges/code_part_form.html"
    anchor = ""  # where on the version's page to go back to

    def version_of(self, obj) -> CodeVersion:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        version = self.version_of(getattr(self, self.scoped_object_name))
        if not version.is_editable or version.campaigns.exists():
            messages.warning(request, _("Version %(number)s is %(status)s: its text never changes. Start a new version to amend it.")
                             % {"number": version.number, "status": version.get_status_display().lower()})
            return redirect("pledges:code_version_detail", pk=version.pk)
        return super().get(request, *args, **kwargs)

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            version = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(reverse("pledges:code_version_detail", args=[version.pk]) + self.anchor)

    def get_context_data(self, **kwargs):
        version = self.version_of(getattr(self, self.scoped_object_name))
        return super().get_context_data(version=version, code=version.code, heading=self.heading, **kwargs)


class ChapterCreateView(_DraftFormMixin, FormView):
    form_class = ChapterForm
    scoped_object_name = "version"

    @property
    def heading(self):
        return _("New chapter")

    def get_rules_object(self):
        return selectors.code_version_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def version_of(self, obj):
        return obj

    def get_initial(self):
        return {"number": self.version.chapters.count() + 1}

    def save(self, form):
        chapter = services.chapter_create(actor=self.request.user, version=self.version, **form.cleaned_data)
        self.anchor = f"#chuong-{chapter.number}"
        return chapter.version


class _ChapterMixin:
    """Pages about one chapter (in the URL's ``pk``), found within the user's scope, of its version's code."""

    scoped_object_name = "chapter"

    def get_rules_object(self):
        return selectors.chapter_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def code_of(self, obj):
        return obj.version.code

    def version_of(self, obj):
        return obj.version


class ChapterUpdateView(_ChapterMixin, _DraftFormMixin, FormView):
    form_class = ChapterForm

    @property
    def heading(self):
        return _("Edit chapter %(number)s") % {"number": self.chapter.number}


    def get_initial(self):
        return {"number": self.chapter.number, "title": self.chapter.title}

    def save(self, form):
        chapter = services.chapter_update(actor=self.request.user, chapter=self.chapter, **form.cleaned_data)
        self.anchor = f"#chuong-{chapter.number}"
        return chapter.version


class ChapterDeleteView(_CodeRulesMixin, View):
    """Remove a chapter and its articles from a draft (POST)."""

    scoped_object_name = "chapter"

    def get_rules_object(self):
        return selectors.chapter_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def code_of(self, obj):
        return obj.version.code

    def post(self, request, *args, **kwargs):
        back = reverse("pledges:code_version_detail", args=[self.chapter.version_id])
        try:
            services.chapter_delete(actor=request.user, chapter=self.chapter)
        except ValidationError as error:
            return self.refused(error, back)
        messages.success(request, _("Chapter %(number)s was removed.") % {"number": self.chapter.number})
        return redirect(back)


def _next_article_number(version: CodeVersion) -> int:
    numbers = Article.objects.filter(chapter__version=version).values_list("number", flat=True)
    return max(numbers, default=0) + 1


class ArticleCreateView(_ChapterMixin, _DraftFormMixin, FormView):
    form_class = ArticleForm

    @property
    def heading(self):
        return _("New article in chapter %(number)s") % {"number": self.chapter.number}


    def get_initial(self):
        return {"number": _next_article_number(self.chapter.version)}

    def save(self, form):
        article = services.article_create(actor=self.request.user, chapter=self.chapter, **form.cleaned_data)
        self.anchor = f"#dieu-{article.number}"
        return self.chapter.version


class ArticleUpdateView(_DraftFormMixin, FormView):
    form_class = ArticleForm
    scoped_object_name = "article"

    @property
    def heading(self):
        return _("Edit article %(number)s") % {"number": self.article.number}

    def get_rules_object(self):
        return selectors.article_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def code_of(self, obj):
        return obj.chapter.version.code

    def version_of(self, obj):
        return obj.chapter.version

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "version": self.article.chapter.version}

    def get_initial(self):
        article = self.article
        return {"chapter": article.chapter_id, "number": article.number, "title": article.title, "text": article.text}

    def save(self, form):
        article = services.article_update(actor=self.request.user, article=self.article, **form.cleaned_data)
        self.anchor = f"#dieu-{article.number}"
        return article.chapter.version


class ArticleDeleteView(_CodeRulesMixin, View):
    """Remove an article from a draft (POST)."""

    scoped_object_name = "article"

    def get_rules_object(self):
        return selectors.article_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def code_of(self, obj):
        return obj.chapter.version.code

    def post(self, request, *args, **kwargs):
        back = reverse("pledges:code_version_detail", args=[self.article.chapter.version_id])
        try:
            services.article_delete(actor=request.user, article=self.article)
        except ValidationError as error:
            return self.refused(error, back)
        messages.success(request, _("Article %(number)s was removed.") % {"number": self.article.number})
        return redirect(back)

