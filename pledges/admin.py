"""Django admin for codes, campaigns and pledges.

A published or superseded code version is frozen: pledges keep the fingerprint of the exact text signed, so
its chapters and articles are read-only here, and only a draft (started with the "Start a new draft version"
action) can be edited and then published. Pledges, campaigns and reminders are recorded through the portal
and its services, so the admin only shows them, with their history.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _, ngettext
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from core.forms import add_service_errors
from pledges import services
from pledges.choices import VersionStatus
from pledges.models import Article, Chapter, CodeOfConduct, CodeVersion, Pledge, PledgeCampaign, PledgeReminder


def _error_text(error: Exception) -> str:
    if isinstance(error, PermissionDenied):
        return str(_("You are not allowed to manage the codes of conduct."))
    return " ".join(error.messages)


# --- Codes ------------------------------------------------------------------------------------------------


class CodeVersionInline(admin.TabularInline):
    model = CodeVersion
    fields = ("number", "status", "published_at", "notes")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CodeOfConductAdminForm(forms.ModelForm):
    """A new code: checked by the service's own validation, so the admin refuses what the portal refuses."""

    class Meta:
        model = CodeOfConduct
        fields = ("jurisdiction", "title", "decision_number", "decision_date", "issuer", "audience")

    def clean(self):
        data = super().clean()
        try:
            services.code_validate(
                jurisdiction=data.get("jurisdiction"), title=data.get("title", ""),
                decision_number=data.get("decision_number", ""), decision_date=data.get("decision_date"),
                issuer=data.get("issuer", ""), audience=data.get("audience", ""),
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return data


@admin.register(CodeOfConduct)
class CodeOfConductAdmin(SimpleHistoryAdmin):
    """A superuser adds a code here (with an empty draft version 1, through ``services.code_create``); province
    administrators do it in the portal. Once added a code's particulars are read-only: new wording goes through
    a draft version."""

    list_display = ("title", "decision_number", "decision_date", "audience", "jurisdiction", "current_version")
    list_filter = ("audience",)
    list_select_related = ("jurisdiction",)
    search_fields = ("title", "decision_number")
    form = CodeOfConductAdminForm
    readonly_fields = ("jurisdiction", "title", "slug", "decision_number", "decision_date", "issuer", "audience")
    raw_id_fields = ("jurisdiction",)
    inlines = [CodeVersionInline]
    actions = ["start_draft_version"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else CodeOfConductAdminForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        # The title is part of the text each pledge's fingerprint covers: a code is read-only once added.
        return False

    def save_model(self, request, obj, form, change):
        if change:  # never reached: a code is read-only here
            raise PermissionDenied
        data = form.cleaned_data
        created = services.code_create(
            actor=request.user, jurisdiction=data["jurisdiction"], title=data["title"],
            decision_number=data["decision_number"], decision_date=data["decision_date"], issuer=data["issuer"],
            audience=data["audience"],
        )
        obj.pk, obj.slug = created.pk, created.slug
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the service made the draft version; there is nothing else to save

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("current version"))
    def current_version(self, code):
        published = [v for v in code.versions.all() if v.status == VersionStatus.PUBLISHED]
        return published[0].number if published else "—"

    @admin.action(description=_("Start a new draft version"))
    def start_draft_version(self, request, queryset):
        for code in queryset:
            try:
                draft = services.code_version_draft_create(actor=request.user, code=code)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{code.decision_number}: {_error_text(error)}", level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Draft version %(number)s of %(code)s created: edit its chapters and articles, then publish it.")
                    % {"number": draft.number, "code": code.decision_number},
                    level=messages.SUCCESS,
                )


class DraftOnlyInlineMixin:
    """Rows of a version are editable while that version is a draft, read-only once published."""

    @staticmethod
    def _version_of(obj):
        if isinstance(obj, CodeVersion):
            return obj
        if isinstance(obj, Chapter):
            return obj.version
        return None

    def _is_draft(self, obj) -> bool:
        version = self._version_of(obj)
        return version is not None and version.is_editable

    def has_add_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_delete_permission(request, obj)


class ChapterInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = Chapter
    fields = ("number", "title")
    extra = 0
    show_change_link = True  # the chapter's page edits its articles


class ArticleInline(DraftOnlyInlineMixin, admin.StackedInline):
    model = Article
    fields = ("number", "title", "text")
    extra = 0


@admin.register(CodeVersion)
class CodeVersionAdmin(admin.ModelAdmin):
    """A draft's notes, chapters and articles are editable; a published or superseded version is read-only."""

    list_display = ("code", "number", "status", "published_at", "article_count")
    list_filter = ("status", "code")
    list_select_related = ("code",)
    fields = ("code", "number", "status", "published_at", "text_hash", "notes", "articles_overview")
    readonly_fields = ("code", "number", "status", "published_at", "text_hash", "articles_overview")
    inlines = [ChapterInline]
    actions = ["publish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("chapters__articles"))

    def has_add_permission(self, request):
        return False  # a version starts as a copy of the published one: the action on the code

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Only an abandoned draft may go: published and superseded versions are what people signed.
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.filter(status=VersionStatus.DRAFT))

    @admin.display(description=_("articles"), ordering="n_articles")
    def article_count(self, version):
        return version.n_articles

    @admin.display(description=_("text"))
    def articles_overview(self, version):
        if version.pk is None:
            return "—"
        articles = Article.objects.filter(chapter__version=version).select_related("chapter").order_by(
            "chapter__number", "number"
        )
        return format_html(
            "<ol class='list-unstyled'>{}</ol>",
            format_html_join(
                "",
                "<li><a href='{}'>Chương {}, Điều {}. {}</a></li>",
                (
                    (reverse("admin:pledges_article_change", args=[a.pk]), a.chapter.number, a.number, a.title)
                    for a in articles
                ),
            ),
        )

    @admin.action(description=_("Publish (the version becomes the code's current text)"))
    def publish(self, request, queryset):
        for version in queryset.select_related("code"):
            try:
                services.code_version_publish(actor=request.user, version=version)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{version}: {_error_text(error)}", level=messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Version %(number)s of %(code)s is published; the previous one is superseded.")
                    % {"number": version.number, "code": version.code.decision_number},
                    level=messages.SUCCESS,
                )


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    """A chapter with its articles inline; editable while its version is a draft."""

    list_display = ("__str__", "version", "version_status")
    list_filter = ("version__status", "version__code")
    list_select_related = ("version__code",)
    fields = ("version", "number", "title")
    inlines = [ArticleInline]

    @admin.display(description=_("status"))
    def version_status(self, chapter):
        return chapter.version.get_status_display()

    def get_readonly_fields(self, request, obj=None):
        return ("version",) if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = CodeVersion.objects.filter(status=VersionStatus.DRAFT).select_related("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.version.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.version.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.filter(version__status=VersionStatus.DRAFT))


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """One article; editable only while its version is a draft."""

    list_display = ("__str__", "chapter", "version", "version_status")
    list_filter = ("chapter__version__status", "chapter__version__code")
    list_select_related = ("chapter__version__code",)
    search_fields = ("title", "text")
    fields = ("chapter", "number", "title", "text")

    @admin.display(description=_("version"))
    def version(self, article):
        return article.chapter.version

    @admin.display(description=_("status"))
    def version_status(self, article):
        return article.chapter.version.get_status_display()

    def get_readonly_fields(self, request, obj=None):
        return ("chapter",) if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "chapter":
            kwargs["queryset"] = Chapter.objects.filter(version__status=VersionStatus.DRAFT).select_related("version__code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.chapter.version.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.chapter.version.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.filter(chapter__version__status=VersionStatus.DRAFT))


# --- Campaigns, pledges, reminders ----------------------------------------------------------------------------


@admin.register(PledgeCampaign)
class PledgeCampaignAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Campaigns are opened in the portal (the district office or city administrators); here, their history."""

    list_display = ("title", "year", "kind", "scope_unit", "code_version", "opens_on", "closes_on", "target_percent")
    list_filter = ("year", "kind")
    search_fields = ("title", "scope_unit__name")
    list_select_related = ("scope_unit", "code_version__code")


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Pledges are recorded through the portal only (signed online or recorded from paper)."""

    list_display = ("staff", "campaign", "unit", "method", "signed_on", "recorded_by", "withdrawn_at")
    list_filter = ("method", "campaign")
    search_fields = ("staff__full_name", "staff__search_name", "staff__staff_code")
    list_select_related = ("staff", "campaign", "unit", "recorded_by")
    date_hierarchy = "signed_on"
    exclude = ("scan",)
    readonly_fields = ("scan_link",)

    @admin.display(description=_("scan of the paper form"))
    def scan_link(self, pledge):
        if not pledge.scan:
            return "—"
        # Through the portal's view, which checks the viewer's scope, never the raw media URL.
        return format_html("<a href='{}'>{}</a>", reverse("pledges:pledge_scan", args=[pledge.pk]), _("Download"))


@admin.register(PledgeReminder)
class PledgeReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("campaign", "unit", "sent_on", "unsigned_count", "recipient_count")
    list_filter = ("sent_on",)
    search_fields = ("unit__name", "campaign__title")
    list_select_related = ("campaign", "unit")
    date_hierarchy = "sent_on"

    @admin.display(description=_("recipients"))
    def recipient_count(self, reminder):
        count = len(reminder.recipients.split())
        return ngettext("%(count)d recipient", "%(count)d recipients", count) % {"count": count}
