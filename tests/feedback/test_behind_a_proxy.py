"""Behind the city's reverse proxy every citizen arrives from the proxy's address: with TRUSTED_PROXY_COUNT set,
each is counted by their own address (from X-Forwarded-For), so one citizen's submissions never use up another's."""

import pytest

from feedback.models import FeedbackCase

pytestmark = pytest.mark.django_db


def _send(client, form_url, fresh_form, *, proxy, citizen):
    return client.post(form_url, fresh_form(), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=citizen).status_code


def test_with_a_trusted_proxy_each_citizen_has_a_limit_of_their_own(client, unit, form_url, fresh_form, new_address,
                                                                    settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.FEEDBACK_RATE_LIMIT = 1
    proxy, first, second = new_address(), new_address(), new_address()

    assert _send(client, form_url, fresh_form, proxy=proxy, citizen=first) == 302
    assert _send(client, form_url, fresh_form, proxy=proxy, citizen=first) == 429  # over their own limit
    assert _send(client, form_url, fresh_form, proxy=proxy, citizen=second) == 302  # someone else: not blocked
    # Forging an entry to the left changes nothing: the proxy appended the real address.
    assert _send(client, form_url, fresh_form, proxy=proxy, citizen=f"{new_address()}, {first}") == 429
    assert FeedbackCase.objects.filter(unit=unit).count() == 2


def test_without_the_setting_the_header_is_ignored_and_the_proxy_address_counts(client, unit, form_url, fresh_form,
                                                                                new_address, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.FEEDBACK_RATE_LIMIT = 1
    proxy = new_address()

    assert _send(client, form_url, fresh_form, proxy=proxy, citizen=new_address()) == 302
    assert _send(client, form_url, fresh_form, proxy=proxy, citizen=new_address()) == 429
    assert FeedbackCase.objects.filter(unit=unit).count() == 1
