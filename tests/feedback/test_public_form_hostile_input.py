"""Regressions found by fuzzing the public form (tests/portal/test_fuzz_feedback_form.py): hostile input gets a
clean form error, never a server error."""

import pytest

from feedback.models import FeedbackCase

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("token", ["\x00", "a" * 31 + "\x00", "\x00" * 64])
def test_a_token_holding_a_nul_byte_reshows_the_form_and_saves_nothing(client, form_url, fresh_form, address, token):
    # PostgreSQL refuses a NUL even in a query: the token look-up before validation used to answer 500.
    response = client.post(form_url, fresh_form(submission_token=token), REMOTE_ADDR=address)

    assert response.status_code == 200 and 'name="submission_token"' in response.content.decode()
    assert not FeedbackCase.objects.exists()
