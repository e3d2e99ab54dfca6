"""The permission matrix: every URL of the portal × every role × an object of the user's own side and of the
other side of the city → the status the user gets.

The URLs are enumerated from the URL conf, so a page added later without an entry in ``CASES`` fails
``test_every_url_has_a_case`` with its name. The Django admin (``admin/``) is left out: Django's own staff
checks guard it (``is_staff``), and its URLs are Django's, not the portal's.

The rule (units/scope.py): anonymous users are sent to the login page, except on the public pages; a logged-in
user gets 404 for an object of a unit outside their scope (the same answer as a missing one), 403 for a
visible object where their role lacks the capability, 405 for a method the page does not take. Expectations
are written as that rule plus the overrides of each URL below; each override says why.

One world (tests/portal/matrix_world.py) is built per role; each request runs in a savepoint that is rolled
back, so a POST (even an empty one that succeeds) never changes what the next request sees. Mismatches are
collected and reported together in one table.
"""

from __future__ import annotations

from collections.abc import Callable
import dataclasses
import datetime
import time

from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode
import pytest

from tests.portal.matrix_world import Side, build_world

ROLES = ("anonymous", "ward_officer", "unit_head", "district_officer", "inspector", "city_admin")
WARD = ("ward_officer", "unit_head")  # the role fixtures of Phường Thanh Xuân Bắc
NOT_EXPORTERS = ("ward_officer", "unit_head", "inspector")  # roles without Capability.EXPORT_DATA anywhere
NOT_RULE_MAKERS = ("ward_officer", "unit_head", "district_officer", "inspector")  # without Capability.MANAGE_RULES


def roles(status: int, *names: str) -> dict[str, int]:
    return dict.fromkeys(names, status)


@dataclasses.dataclass(frozen=True)
class Case:
    """How to call one URL name and what each role should get.

    ``kwargs`` builds the URL's parameters from a side; a plain dict (or nothing) means the URL names no object
    of a side, so it is checked once instead of per side. ``query`` adds a query string naming a side's unit or
    staff member (a list's filter): the URL is then checked without it, and with it for each side. ``method``:
    a POST endpoint is POSTed ``data`` (built from the side, so a unit named in the form is the side's; empty
    when not given), and its GET is checked too: ``get`` once logged in (405 unless said otherwise). ``public`` is the status of a public page, for
    anyone on either side (``None``: a login is required, so an anonymous user goes to the login page).
    ``own`` overrides the logged-in default of 200 (or of ``public``) per role on the own side; ``foreign``
    overrides the default of 404 (city administrators: as on the own side). ``secret``: the URL is also called
    for the own side's planned surprise visit, which the inspected ward must not see (404); everyone else gets
    the own side's status.
    """

    kwargs: Callable[[Side], dict] | dict | None = None
    query: Callable[[Side], dict] | None = None
    method: str = "GET"
    data: Callable[[Side], dict] | None = None
    get: int | dict[str, int] = 405
    public: int | None = None
    own: dict[str, int] = dataclasses.field(default_factory=dict)
    foreign: dict[str, int] = dataclasses.field(default_factory=dict)
    secret: bool = False
    plain: dict[str, int] | None = None  # with ``query``: the logged-in overrides of the list without it (else ``own``)

    @property
    def sided(self) -> bool:
        return callable(self.kwargs) or callable(self.data) or callable(self.query)


def ward(side: Side) -> dict:
    return {"public_code": side.ward.public_code}


def pk(attribute: str) -> Callable[[Side], dict]:
    return lambda side: {"pk": getattr(side, attribute).pk}


def unit_filter(side: Side) -> dict:
    return {"unit": side.ward.public_code}


def unit_year(side: Side) -> dict:
    return {"public_code": side.ward.public_code, "year": side.year}


def visit_result(side: Side) -> dict:
    return {"pk": side.visit.pk, "result_pk": side.result.pk}


def campaign_staff(side: Side) -> dict:
    return {"pk": side.campaign.pk, "staff_id": side.unsigned_staff.pk}


ALL = ROLES[1:]
MANAGE_STAFF = ("ward_officer", "unit_head", "district_officer", "city_admin")
# A redirect that is the page's answer, for every logged-in role that may see the object.
REDIRECT = roles(302, *ALL)
# Rules of a jurisdiction (codes, checklists): only the city administrator manages Hanoi's; another province's
# rules are outside everyone's scope here, the city administrator's included.
ALL_BUT_ADMIN = ("ward_officer", "unit_head", "district_officer", "inspector")
ADMIN_ACTS = {**roles(403, *ALL_BUT_ADMIN), "city_admin": 302}
DOOR = roles(403, *ALL_BUT_ADMIN)  # a POST endpoint that refuses those without the right before looking at the method
ADMIN_404 = {"city_admin": 404}


def code_slug(side: Side) -> dict:
    return {"slug": side.code.slug}

CASES: dict[str, Case] = {
    # --- The portal's own pages -------------------------------------------------------------------------------
    "home": Case(),
    "healthz": Case(public=200),
    "favicon": Case(public=301),  # to the static file, for anyone
    "set_language": Case(method="POST", data=lambda side: {"language": "en", "next": "/"}, public=302, get=302),
    "login": Case(public=200, own=REDIRECT),  # redirect_authenticated_user: a signed-in user goes home
    "logout": Case(method="POST", public=302, own=REDIRECT),  # POST only (Django 5); the test signs in again after it
    "password_change": Case(),
    "password_change_done": Case(),
    # Two-factor login: offered to district offices and city administrators; the code step sends a session that
    # owes no code on to where it was going.
    "account:two_factor": Case(own=roles(403, *WARD, "inspector")),
    "account:two_factor_verify": Case(own=REDIRECT),
    # --- units ------------------------------------------------------------------------------------------------
    "units:unit_list": Case(),
    "units:unit_detail": Case(kwargs=ward),
    "units:subunit_create": Case(kwargs=ward, own=roles(403, *WARD, "district_officer", "inspector")),
    "units:unit_contact": Case(kwargs=ward, own=roles(403, "ward_officer", "inspector")),
    "units:staff_create": Case(kwargs=ward, own=roles(403, "inspector")),
    # Moving the staff of the units a unit was formed from: for those who manage the unit's staff (the own ward has
    # no former units: the page says so). The move itself: tests/units/test_predecessor_staff_move.py.
    "units:staff_from_predecessors": Case(kwargs=ward, own=roles(403, "inspector")),
    "units:staff_list": Case(),
    "units:staff_import": Case(own=roles(403, "inspector")),
    # The empty template, with the units where the user may add staff (none for an inspector): no data in it.
    "units:staff_import_template": Case(),
    "units:staff_detail": Case(kwargs=pk("staff")),
    "units:staff_update": Case(kwargs=pk("staff"), own=roles(403, "inspector")),
    "units:staff_move": Case(kwargs=pk("staff"), own=roles(403, "inspector")),
    "units:staff_deactivate": Case(kwargs=pk("staff"), own=roles(403, "inspector")),
    # A user's own notifications: someone else's id, or one that does not exist, changes nothing and goes back to
    # the list; the unsubscribe link needs no login (its signed token is the key), and a forged one is refused.
    "units:notification_list": Case(),
    "units:notification_preferences": Case(),
    "units:notification_read": Case(kwargs={"pk": 987654321}, method="POST", own=REDIRECT),
    "units:notification_read_all": Case(method="POST", own=REDIRECT),
    "units:notification_unsubscribe": Case(kwargs={"token": "forged:token"}, public=400),
    # Refused at the door without the right to audit anywhere (403, whatever the unit); for an auditor a unit
    # outside the scope is not among the filter's choices, so the filter is ignored (as in the inbox).
    "portal:audit_trail": Case(own=roles(403, *WARD, "inspector"), query=unit_filter,
                              foreign={**roles(403, *WARD, "inspector"), "district_officer": 200}),
    # The rules in force for the user's units: everyone reads them; managing them is on the rule pages.
    "portal:rules": Case(),
    # --- pledges ----------------------------------------------------------------------------------------------
    "pledges:code_list": Case(public=200),
    "pledges:code_detail": Case(kwargs={"slug": "qd-522-2017"}, public=200),
    # Writing codes: province (city) administrators, for their jurisdiction (MANAGE_RULES). The side's code is its
    # province's (own: Hanoi's; foreign: another province's, which concerns nobody here, the city administrator
    # included: 404). A code concerning the user without the right: 403. Actions answer with a redirect (done, or
    # why not: the code already has a draft); an empty form is shown again with its errors.
    "pledges:code_create": Case(own=roles(403, *ALL_BUT_ADMIN)),
    "pledges:code_versions": Case(kwargs=code_slug, own=roles(403, *ALL_BUT_ADMIN), foreign=ADMIN_404),
    "pledges:code_update": Case(kwargs=code_slug, own=roles(403, *ALL_BUT_ADMIN), foreign=ADMIN_404),
    "pledges:code_version_create": Case(kwargs=code_slug, method="POST", own=ADMIN_ACTS, foreign=ADMIN_404, get=DOOR),
    "pledges:code_version_detail": Case(kwargs=pk("draft"), own=roles(403, *ALL_BUT_ADMIN), foreign=ADMIN_404),
    "pledges:code_version_publish": Case(kwargs=pk("draft"), method="POST", own=ADMIN_ACTS, foreign=ADMIN_404, get=DOOR),
    "pledges:code_version_discard": Case(kwargs=pk("draft"), method="POST", own=ADMIN_ACTS, foreign=ADMIN_404, get=DOOR),
    "pledges:chapter_create": Case(kwargs=pk("draft"), own=roles(403, *ALL_BUT_ADMIN), foreign=ADMIN_404),
    "pledges:chapter_update": Case(kwargs=pk("chapter"), own=roles(403, *ALL_BUT_ADMIN), foreign=ADMIN_404),
    "pledges:chapter_delete": Case(kwargs=pk("chapter"), method="POST", own=ADMIN_ACTS, foreign=ADMIN_404, get=DOOR),
    "pledges:article_create": Case(kwargs=pk("chapter"), own=roles(403, *ALL_BUT_ADMIN), foreign=ADMIN_404),
    "pledges:article_update": Case(kwargs=pk("article"), own=roles(403, *ALL_BUT_ADMIN), foreign=ADMIN_404),
    "pledges:article_delete": Case(kwargs=pk("article"), method="POST", own=ADMIN_ACTS, foreign=ADMIN_404, get=DOOR),
    "pledges:campaign_list": Case(),
    "pledges:campaign_create": Case(own=roles(403, *WARD, "inspector")),
    "pledges:campaign_detail": Case(kwargs=pk("campaign"), own=REDIRECT),  # to the coverage of the user's unit
    "pledges:campaign_unit": Case(kwargs=lambda side: {"pk": side.campaign.pk, "public_code": side.ward.public_code}),
    "pledges:campaign_export": Case(kwargs=pk("campaign"), query=unit_filter),  # the roster of the ward
    "pledges:campaign_export_csv": Case(kwargs=pk("campaign"), query=unit_filter),  # the same roster as CSV
    "pledges:my_pledges": Case(),
    # The signing page of a campaign the user can see; none of the role users is a staff member, so the page
    # says why they cannot sign (the signing itself is tested in tests/pledges/test_signing.py).
    "pledges:pledge_sign": Case(kwargs=pk("campaign")),
    "pledges:pledge_record": Case(kwargs=campaign_staff, own=roles(403, "inspector")),
    "pledges:pledge_form_print": Case(kwargs=campaign_staff, own=roles(403, "inspector")),
    "pledges:pledge_detail": Case(kwargs=pk("pledge")),
    "pledges:pledge_scan": Case(kwargs=pk("pledge")),
    "pledges:pledge_withdraw": Case(kwargs=pk("pledge"), own=roles(403, *WARD, "district_officer", "inspector")),
    # --- ratings and violations -------------------------------------------------------------------------------
    "evaluations:sheet_list": Case(),
    # Opening a sheet answers with a redirect: to the sheet, or back to the list with the refusal as a message
    # (a unit outside the scope is still a 404).
    "evaluations:sheet_open": Case(method="POST", data=lambda side: {"unit": side.ward.public_code,
                                                                      "month": side.sheet.month.strftime("%Y-%m")},
                                   own=REDIRECT),
    "evaluations:my_ratings": Case(),
    "evaluations:sheet_detail": Case(kwargs=pk("sheet")),
    # A workflow step goes back to the sheet with a message (done, or why not, e.g. a step out of order).
    # A role that may not take the step is refused (403); the services are tested in test_workflow.py.
    "evaluations:sheet_transition": Case(kwargs=pk("sheet"), method="POST", data=lambda side: {"action": "submit"},
                                         own={**REDIRECT, **roles(403, "district_officer", "inspector")}),
    # Marking a unit exceptional for the sheet's period is the level above's (district office, city): it goes back
    # to the sheet with a message (done, or why not: Hanoi's scheme allows no exceptions); the ward's own roles
    # and inspectors are refused. The services are tested in tests/evaluations/test_caps.py.
    "evaluations:sheet_cap_exception": Case(kwargs=pk("sheet"), method="POST",
                                            data=lambda side: {"action": "decide", "reason": "Đơn vị tiêu biểu"},
                                            own={**REDIRECT, **roles(403, *WARD, "inspector")}),
    "evaluations:sheet_xlsx": Case(kwargs=pk("sheet")),
    "evaluations:sheet_upload": Case(kwargs=pk("sheet"), own=roles(403, "district_officer", "inspector")),
    # Without htmx a row save goes back to the sheet with a message; rating is the unit's and the city's job.
    "evaluations:rating_row_save": Case(kwargs=pk("rating"), method="POST",
                                        own={**REDIRECT, **roles(403, "district_officer", "inspector")}),
    # One's own rating only: for anyone else it does not exist (none of the role users is rated).
    "evaluations:rating_self_assess": Case(kwargs=pk("rating"), own=roles(404, *ALL)),
    "evaluations:sheet_for_month": Case(kwargs=lambda side: {"public_code": side.ward.public_code, "month": side.sheet.month},
                                        own=REDIRECT),  # opens the sheet, as sheet_open
    "evaluations:violation_list": Case(query=unit_filter),
    "evaluations:violation_create": Case(query=lambda side: {"staff": side.staff.pk}),  # the staff member preselected
    # The violation's page with its disciplinary handling (every role here may record violations, so may handle).
    "evaluations:violation_detail": Case(kwargs=pk("violation")),
    # --- the annual classification ----------------------------------------------------------------------------
    "evaluations:annual_index": Case(),
    "evaluations:annual_list": Case(kwargs=unit_year),
    "evaluations:annual_list_print": Case(kwargs=unit_year),
    # Computing is the rating unit's (ward officer, head) and the city's; the answer is the list, with a message.
    "evaluations:annual_compute": Case(kwargs=unit_year, method="POST",
                                       own={**REDIRECT, **roles(403, "district_officer", "inspector")}),
    # Submitting is the head's (APPROVE_SHEETS on the unit); approving is the level above's (REOPEN_SHEETS on the
    # parent: the district office), tested in tests/evaluations/test_annual.py.
    "evaluations:annual_transition": Case(kwargs=unit_year, method="POST", data=lambda side: {"action": "submit"},
                                          own={**REDIRECT, **roles(403, "ward_officer", "district_officer", "inspector")}),
    "evaluations:annual_row": Case(kwargs=pk("annual_row")),
    "evaluations:annual_row_print": Case(kwargs=pk("annual_row")),
    # --- inspections ------------------------------------------------------------------------------------------
    "evaluations:visit_list": Case(query=unit_filter),
    # A month, not a side's object; the unit filter is.
    "evaluations:visit_calendar": Case(kwargs={"month": datetime.date(2025, 6, 1)}, query=unit_filter),
    "evaluations:visit_create": Case(own=roles(403, *WARD, "inspector")),
    "evaluations:team_list": Case(),
    "evaluations:team_create": Case(own=roles(403, *WARD, "inspector")),
    # Checklists: anyone reads those of their province (or city) and the national ones; building them is for the
    # province (city) administrators (MANAGE_RULES). Another province's checklist is a 404 for everyone here.
    "evaluations:checklist_list": Case(),
    "evaluations:checklist_create": Case(own=roles(403, *ALL_BUT_ADMIN)),
    "evaluations:checklist_detail": Case(kwargs=pk("checklist"), foreign=ADMIN_404),
    "evaluations:checklist_update": Case(kwargs=pk("checklist"), own=roles(403, *ALL_BUT_ADMIN), foreign=ADMIN_404),
    # Copying needs the right somewhere; an empty form names no jurisdiction: back to the checklist with why.
    "evaluations:checklist_copy": Case(kwargs=pk("checklist"), method="POST", own=ADMIN_ACTS, foreign=ADMIN_404),
    "evaluations:checklist_default": Case(kwargs=pk("checklist"), method="POST", own=ADMIN_ACTS, foreign=ADMIN_404, get=DOOR),
    "evaluations:checklist_retire": Case(kwargs=pk("checklist"), method="POST", own=ADMIN_ACTS, foreign=ADMIN_404, get=DOOR),
    "evaluations:checklist_restore": Case(kwargs=pk("checklist"), method="POST", own=ADMIN_ACTS, foreign=ADMIN_404, get=DOOR),
    "evaluations:visit_photo": Case(kwargs=pk("photo")),
    "evaluations:visit_detail": Case(kwargs=pk("visit"), secret=True),
    # Recording results and findings is for the visit's team only (the inspector is a member; the city
    # administrator and the district office plan visits but do not inspect them).
    "evaluations:visit_result_save": Case(kwargs=visit_result, method="POST", own={**roles(403, *ALL), "inspector": 302}),
    "evaluations:finding_create": Case(kwargs=visit_result, method="POST", own={**roles(403, *ALL), "inspector": 302}),
    # Transitions answer with the visit page and a message (done, or why not); the inspected ward may not act.
    "evaluations:visit_start": Case(kwargs=pk("visit"), method="POST", own={**REDIRECT, **roles(403, *WARD)}, secret=True),
    "evaluations:visit_close": Case(kwargs=pk("visit"), method="POST", own={**REDIRECT, **roles(403, *WARD)}, secret=True),
    # Reopening is the district office's or the team leader's (the inspector is a member, not the leader).
    "evaluations:visit_reopen": Case(kwargs=pk("visit"), method="POST", own={**REDIRECT, **roles(403, *WARD, "inspector")},
                                     secret=True),
    "evaluations:action_list": Case(),
    "evaluations:action_detail": Case(kwargs=pk("action")),
    # The forms live on the action's page: a GET goes there. An empty POST is re-shown with its errors (200)
    # to those who may act: the inspected unit marks done, the team and the district office verify.
    "evaluations:action_mark_done": Case(kwargs=pk("action"), method="POST", get=302,
                                         own=roles(403, "district_officer", "inspector")),
    "evaluations:action_verify": Case(kwargs=pk("action"), method="POST", get=302, own=roles(403, *WARD)),
    "evaluations:action_evidence": Case(kwargs=pk("action")),
    "evaluations:action_create": Case(kwargs=pk("finding"), own=roles(403, *WARD)),
    "evaluations:visit_report": Case(kwargs=pk("visit"), secret=True),
    "evaluations:inspections_export": Case(),
    "evaluations:inspections_export_csv": Case(),
    # --- scoring schemes (rules of a jurisdiction) ------------------------------------------------------------
    # Refused at the door without the right to manage rules anywhere (403, whatever the scheme); the city
    # administrator manages both districts' schemes (unused, so editable and deletable: the forms answer 200).
    "evaluations:scheme_list": Case(own=roles(403, *NOT_RULE_MAKERS)),
    "evaluations:scheme_create": Case(own=roles(403, *NOT_RULE_MAKERS)),
    "evaluations:scheme_detail": Case(kwargs=pk("scheme"), own=roles(403, *NOT_RULE_MAKERS), foreign=roles(403, *NOT_RULE_MAKERS)),
    "evaluations:scheme_update": Case(kwargs=pk("scheme"), own=roles(403, *NOT_RULE_MAKERS), foreign=roles(403, *NOT_RULE_MAKERS)),
    "evaluations:scheme_new_version": Case(kwargs=pk("scheme"), own=roles(403, *NOT_RULE_MAKERS),
                                           foreign=roles(403, *NOT_RULE_MAKERS)),
    # Deleting is a POST (the GET is its confirmation page): the unused scheme goes, back to the list.
    "evaluations:scheme_delete": Case(kwargs=pk("scheme"), method="POST", own={**roles(403, *NOT_RULE_MAKERS), "city_admin": 302},
                                      foreign=roles(403, *NOT_RULE_MAKERS), get={**roles(403, *NOT_RULE_MAKERS), "city_admin": 200}),
    # --- citizen feedback -------------------------------------------------------------------------------------
    "feedback:unit_finder": Case(public=200),
    "feedback:track": Case(public=200),
    "feedback:track_detail": Case(kwargs=lambda side: {"code": side.case.tracking_code}, public=200),
    "feedback:done": Case(kwargs=lambda side: {"code": side.case.tracking_code}, public=200),
    "feedback:kiosk": Case(kwargs=lambda side: {"token": side.kiosk.token}, public=200),
    "feedback:public_form": Case(kwargs=ward, public=200),
    "feedback:poster": Case(kwargs=ward, public=200),
    # A unit outside the scope is not among the choices of the inbox's filter: the filter is ignored and the
    # inbox shows the user's own cases (nothing of the other unit: test_an_ignored_filter_shows_nothing_foreign).
    "feedback:inbox": Case(query=unit_filter, foreign=roles(200, *ALL)),
    "feedback:case_record": Case(own=roles(403, "inspector")),
    "feedback:case_detail": Case(kwargs=pk("case")),
    # The citizen's photo (it may show people) only for those who handle the case.
    "feedback:case_photo": Case(kwargs=pk("case"), own=roles(403, "inspector")),
    "feedback:kiosk_devices": Case(own=roles(403, "inspector")),
    "feedback:home_tile": Case(),
    "feedback:kiosk_device_revoke": Case(kwargs=pk("kiosk"), method="POST", own={**REDIRECT, "inspector": 403}),
    # The citizen's rating and reopening of their resolved case: the side's case is new, so refused (400) for anyone.
    "feedback:track_rate": Case(kwargs=lambda side: {"code": side.case.tracking_code}, method="POST", public=400),
    "feedback:track_reopen": Case(kwargs=lambda side: {"code": side.case.tracking_code}, method="POST", public=400),
    # Reply templates: everyone reads those concerning their units; making one needs the right to triage feedback.
    "feedback:reply_template_list": Case(),
    "feedback:reply_template_create": Case(own=roles(403, "inspector")),
    "feedback:reply_template_edit": Case(kwargs=pk("reply_template")),
    # Public statistics (no personal data): anyone, for any unit.
    "feedback:stats_list": Case(public=200),
    "feedback:unit_stats": Case(kwargs=ward, public=200),
    # Open311: reads are public; a POST needs a partner's key; partner keys are the rule makers'.
    "open311:discovery": Case(kwargs={"fmt": "json"}, public=200),
    "open311:services": Case(kwargs={"fmt": "json"}, public=400),  # jurisdiction_id is required
    "open311:service": Case(kwargs=lambda side: {"service_code": "attitude", "fmt": "json"}, public=200),
    "open311:requests": Case(kwargs={"fmt": "json"}, public=400),
    "open311:request": Case(kwargs=lambda side: {"service_request_id": side.case.tracking_code, "fmt": "json"}, public=200),
    "open311:partner_list": Case(own=roles(403, *NOT_RULE_MAKERS), foreign=roles(403, *NOT_RULE_MAKERS)),
    # A key nobody holds (or of a jurisdiction outside the scope) is the same 404 for everyone.
    "open311:partner_revoke": Case(kwargs={"pk": 987654321}, method="POST", own=roles(404, *ALL), foreign=roles(404, *ALL), get=404),
    # --- reports ----------------------------------------------------------------------------------------------
    "reports:dashboard": Case(own=REDIRECT),  # to the dashboard of the user's unit
    "reports:unit_dashboard": Case(kwargs=ward),
    "reports:unit_history": Case(kwargs=ward),
    "reports:report_list": Case(),
    # The ready report exists: a request goes to it; building is for unit heads, district offices and the city.
    "reports:report_request": Case(method="POST", data=lambda side: {"unit": side.ward.public_code, "quarter": side.quarter.slug},
                                   own={**REDIRECT, **roles(403, "ward_officer", "inspector")}),
    "reports:report_detail": Case(kwargs=pk("report")),
    "reports:report_progress": Case(kwargs=pk("report")),
    "reports:report_download": Case(kwargs=pk("report")),
    "reports:report_retry": Case(kwargs=pk("report"), method="POST", own={**REDIRECT, **roles(403, "ward_officer", "inspector")}),
    # Annual summaries: as the quarterly reports.
    "reports:annual_report_list": Case(),
    "reports:annual_report_request": Case(method="POST",
                                          data=lambda side: {"unit": side.ward.public_code, "year": str(side.annual_report.year)},
                                          own={**REDIRECT, **roles(403, "ward_officer", "inspector")}),
    "reports:annual_report_detail": Case(kwargs=pk("annual_report")),
    "reports:annual_report_progress": Case(kwargs=pk("annual_report")),
    "reports:annual_report_download": Case(kwargs=pk("annual_report")),
    "reports:annual_report_retry": Case(kwargs=pk("annual_report"), method="POST",
                                        own={**REDIRECT, **roles(403, "ward_officer", "inspector")}),
    # Opening a unit's list for a quarter (or a year) goes to it; a unit outside the scope is not among the form's
    # choices, so the form is shown again with the user's own lists (as in the inbox).
    "reports:commendation_list": Case(query=lambda side: {"unit": side.ward.public_code, "period": side.quarter.slug},
                                      own=REDIRECT, foreign=roles(200, *ALL) | {"city_admin": 302}, plain={}),
    # The year's list takes the same page (tests/reports/test_commendations_annual_pages.py has its own matrix).
    "reports:commendation_for": Case(kwargs=lambda side: {"public_code": side.ward.public_code, "period": side.quarter},
                                     own=REDIRECT),  # the list exists: to it
    "reports:commendation_detail": Case(kwargs=pk("commendation")),
    "reports:commendation_xlsx": Case(kwargs=pk("commendation")),
    "reports:commendation_csv": Case(kwargs=pk("commendation")),
    "reports:commendation_decision": Case(kwargs=pk("commendation")),
    # A jurisdiction's rules: a role that may not manage rules anywhere is refused at the door (403), before the
    # rule is looked at, so also for the other side's; the city administrator manages both sides' (Hanoi's).
    # Another province's rule is a 404 (tests/reports/test_rules_pages.py).
    "reports:commendation_rule_list": Case(own=roles(403, *NOT_RULE_MAKERS)),
    "reports:commendation_rule_create": Case(own=roles(403, *NOT_RULE_MAKERS)),
    "reports:commendation_rule_detail": Case(kwargs=pk("commendation_rule"), own=roles(403, *NOT_RULE_MAKERS),
                                             foreign=roles(403, *NOT_RULE_MAKERS)),
    "reports:commendation_rule_update": Case(kwargs=pk("commendation_rule"), own=roles(403, *NOT_RULE_MAKERS),
                                             foreign=roles(403, *NOT_RULE_MAKERS)),
    "reports:commendation_rule_version": Case(kwargs=pk("commendation_rule"), own=roles(403, *NOT_RULE_MAKERS),
                                              foreign=roles(403, *NOT_RULE_MAKERS)),
    "reports:ranking_weights_list": Case(own=roles(403, *NOT_RULE_MAKERS)),
    "reports:ranking_weights_create": Case(own=roles(403, *NOT_RULE_MAKERS)),
    "reports:ranking_weights_detail": Case(kwargs=pk("ranking_weights"), own=roles(403, *NOT_RULE_MAKERS),
                                           foreign=roles(403, *NOT_RULE_MAKERS)),
    "reports:ranking_weights_version": Case(kwargs=pk("ranking_weights"), own=roles(403, *NOT_RULE_MAKERS),
                                            foreign=roles(403, *NOT_RULE_MAKERS)),
    # Exports: a role without the right to export anywhere is refused at the door (403), before any unit is
    # looked at, so also for the other side's unit; for an exporter, a unit outside the scope is a 404.
    "reports:export_list": Case(own=roles(403, *NOT_EXPORTERS)),
    "reports:export_create": Case(method="POST", data=lambda side: {"kind": "ratings", "unit": side.ward.public_code,
                                                                    "year": str(side.sheet.month.year)},
                                  own=roles(403, *NOT_EXPORTERS), foreign=roles(403, *NOT_EXPORTERS),
                                  get=roles(403, *NOT_EXPORTERS)),
    # An export job is its requester's alone (the own side's district officer): 404 for anyone else, the city
    # administrator included.
    "reports:export_download": Case(kwargs=pk("export_job"), own=roles(404, *ALL) | {"district_officer": 200},
                                    foreign={"city_admin": 404}),
    "reports:export_progress": Case(kwargs=pk("export_job"), own=roles(404, *ALL) | {"district_officer": 200},
                                    foreign={"city_admin": 404}),
    # Retrying one (a POST, refused with a message when the job is neither failed nor stuck): roles that may not
    # export are refused at the door, as on the list.
    "reports:export_retry": Case(kwargs=pk("export_job"), method="POST",
                                 own=roles(403, *NOT_EXPORTERS) | {"district_officer": 302, "city_admin": 404},
                                 foreign=roles(403, *NOT_EXPORTERS) | {"city_admin": 404}, get=roles(403, *NOT_EXPORTERS)),
}


def portal_url_names() -> dict[str, str]:
    """Every named URL of the portal (``namespace:name`` → route), recursing into includes; the admin is left out."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith("admin/"):
                    continue  # Django's admin, guarded by Django's own staff checks (see the module docstring)
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"the URL {route!r} has no name: name it so that the matrix can list it"
                found[namespace + pattern.name] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_url_has_a_case():
    names = portal_url_names()
    missing = sorted(set(names) - set(CASES))
    assert not missing, "URLs without an entry in the permission matrix (tests/portal/test_permission_matrix.py CASES): " + \
        ", ".join(f"{name} ({names[name]})" for name in missing)
    stale = sorted(set(CASES) - set(names))
    assert not stale, f"entries of the permission matrix for URLs that no longer exist: {', '.join(stale)}"


# --- The matrix ---------------------------------------------------------------------------------------------------


def expected_status(case: Case, role: str, side: str) -> int:
    if role == "anonymous":
        return case.public if case.public is not None else 302
    if case.public is not None:  # a public page answers everyone alike, whichever unit it is about
        return case.own.get(role, case.public)
    if side == "foreign" and (role != "city_admin" or role in case.foreign):
        return case.foreign.get(role, 404)
    if side == "secret" and role in WARD:
        return 404
    if side == "-" and case.plain is not None:
        return case.plain.get(role, 200)
    return case.own.get(role, 200)


def checks_of(case: Case, role: str):
    """(method, side, expected) of one URL for one role: per side when the URL is about a side's object, and
    the GET of a POST endpoint."""
    sides = ("own", "foreign") if case.sided else ("-",)
    if case.query and not callable(case.kwargs):
        sides = ("-", *sides)  # the list without its filter, then filtered by each side's unit
    if case.secret:
        sides += ("secret",)
    for side in sides:
        yield case.method, side, expected_status(case, role, side)
    if case.method == "POST":
        if role == "anonymous" and case.public is None:
            yield "GET", sides[0], 302
        else:
            yield "GET", sides[0], case.get.get(role, 405) if isinstance(case.get, dict) else case.get


def side_of(world: dict[str, Side], side: str) -> Side:
    if side == "secret":
        return dataclasses.replace(world["own"], visit=world["own"].secret_visit)
    return world["foreign" if side == "foreign" else "own"]


def observe(client, method: str, url: str, data: dict) -> tuple[str, str]:
    """The status and where a redirect goes. Each request runs in a savepoint rolled back afterwards. An
    exception (the test client re-raises a view's) is reported as a 500 with its type."""
    try:
        with transaction.atomic():
            response = client.post(url, data) if method == "POST" else client.get(url)
            if response.streaming:
                # Read to the end through the client's wrapper, which closes the file without closing the
                # test's database connection (response.close() would).
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
    except Exception as error:
        return f"500 {type(error).__name__}: {str(error)[:80]}", ""
    return str(response.status_code), response.headers.get("Location", "")


def run_matrix(client, role: str, user, world: dict[str, Side]) -> tuple[list[tuple], int]:
    if user is not None:
        client.force_login(user)
    login = resolve_url(settings.LOGIN_URL)
    mismatches, count = [], 0
    for name, case in CASES.items():
        for method, side, expected in checks_of(case, role):
            objects = side_of(world, side)
            kwargs = case.kwargs(objects) if callable(case.kwargs) else (case.kwargs or {})
            url = reverse(name, kwargs=kwargs)
            if case.query and side != "-":
                url += "?" + urlencode(case.query(objects))
            actual, location = observe(client, method, url, case.data(objects) if case.data and method == "POST" else {})
            if user is not None and "_auth_user_id" not in client.session:
                client.force_login(user)  # logout ended the session: the savepoint cannot undo a cookie
            count += 1
            if actual == "302" and role == "anonymous" and case.public is None and not location.startswith(login):
                actual = f"302 → {location}"  # an anonymous user must land on the login page, nowhere else
            if actual == "302" and role != "anonymous" and name != "logout" and location.startswith(login):
                actual = f"302 → {location}"  # a signed-in user is never sent to log in (a lost session would hide)
            if actual != str(expected):
                mismatches.append((name, method, side, role, str(expected), actual))
    return mismatches, count


def format_table(rows: list[tuple]) -> str:
    header = ("URL name", "method", "side", "role", "expected", "got")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)) for row in [header, *rows])


@pytest.fixture
def world(request, thanh_xuan, thanh_xuan_bac, ba_dinh, phuc_xa, district_officer, inspector, city_admin):
    users = {"district_officer": district_officer, "inspector": inspector, "city_admin": city_admin}
    return build_world(users=users, thanh_xuan=thanh_xuan, thanh_xuan_bac=thanh_xuan_bac, ba_dinh=ba_dinh, phuc_xa=phuc_xa)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(request, client, world, role):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    started = time.perf_counter()
    mismatches, count = run_matrix(client, role, user, world)
    print(f"\n{role}: {count} cases in {time.perf_counter() - started:.1f} s")
    assert not mismatches, f"{len(mismatches)} of {count} cases differ from the matrix:\n" + format_table(mismatches)


@pytest.mark.parametrize(
    ("name", "shows"),
    [
        ("feedback:inbox", lambda side: side.case.tracking_code),
        ("reports:commendation_list", lambda side: side.ward.name),
        ("portal:audit_trail", lambda side: side.ward.name),
    ],
)
def test_an_ignored_filter_shows_nothing_foreign(client, world, district_officer, name, shows):
    """The lists above answer 200 to a filter naming the other side's unit: they must show nothing of it, and
    the own side's data (the same page filtered by the own unit, or unfiltered) must be there."""
    client.force_login(district_officer)
    foreign, own = world["foreign"], world["own"]
    query = {"unit": foreign.ward.public_code, "quarter": foreign.quarter.slug}
    page = client.get(reverse(name), query)
    assert page.status_code == 200
    assert shows(foreign) not in page.content.decode()
    unfiltered = client.get(reverse(name))
    assert shows(own) in unfiltered.content.decode()
