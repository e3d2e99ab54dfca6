"""Fuzzing the public feedback form (hypothesis): whatever a visitor posts, the answer is a saved case or a clean
form error — never a server error, never a half-saved case, never a file left behind.

Every field gets arbitrary values (any unicode: control characters, NUL bytes, right-to-left marks, emoji,
strings far past the limits), together or missing; the photo gets arbitrary bytes, real and truncated images
under any name, content type and size. A success must have stored exactly one case holding what was sent (as the
form cleans it: surrounding white space stripped); a refusal must re-show the form and store nothing.
"""

from __future__ import annotations

import io
import re
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import example, given, strategies as st
from PIL import Image
import pytest

from feedback.choices import FeedbackKind
from feedback.models import FeedbackCase
from tests.portal.fuzzing import assert_not_5xx, fuzz_settings, media_files, rolled_back

pytestmark = pytest.mark.django_db

PHOTO_LIMIT = 48 * 1024  # the test's photo limit, so oversized photos stay cheap to build
ADDRESS = "10.250.8.6"
TOKEN = re.compile(r'name="submission_token" value="([0-9a-f]{32})"')
_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u205f\u3000"

# --- Strategies -----------------------------------------------------------------------------------------------

# Any text a browser could send (lone surrogates cannot be encoded, so no client can send them).
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
tricky_text = st.one_of(
    any_text,
    st.sampled_from([
        "", " ", "\x00", "Cán bộ\x00 tiếp dân", "\u202eعربي\u202c ngược chiều", "👍🏽👨‍👩‍👧 😠", "\r\n\t ",
        "<script>alert(1)</script>", "' OR 1=1 --", "%s %(x)s {0}", "\ufeffBOM", "a\u0301\u0302\u0303",
        "Cảm ơn chị Lan ở bàn số 3.", "\x1b[31m", "\u200b\u200c\u200d", "\U0010ffff",
    ]),
    # Long strings around and far past the limits (200, 5,000 characters…).
    st.builds(lambda piece, times: piece * times, st.text(st.characters(exclude_categories=["Cs"]), min_size=1,
                                                           max_size=4), st.integers(1, 7000)),
    st.builds(lambda text, pad: pad + text + pad, any_text, st.text(st.sampled_from(_SPACE), max_size=5)),
)


def _image(fmt: str, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 60, 40)).save(buffer, fmt)
    return buffer.getvalue()


@st.composite
def photo_bytes(draw) -> bytes:
    fmt = draw(st.sampled_from(["PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF"]))
    content = _image(fmt, (draw(st.integers(1, 80)), draw(st.integers(1, 80))))
    damage = draw(st.sampled_from(["none", "truncate", "flip", "pad", "oversize"]))
    if damage == "truncate":
        content = content[: draw(st.integers(0, len(content) - 1))]
    elif damage == "flip":
        at = draw(st.integers(0, len(content) - 1))
        content = content[:at] + bytes([content[at] ^ draw(st.integers(1, 255))]) + content[at + 1 :]
    elif damage == "pad":
        content += draw(st.binary(max_size=64))
    elif damage == "oversize":
        content += b"\x00" * (PHOTO_LIMIT + 1 - len(content) + draw(st.integers(0, 1024)))
    return content


photo_names = st.one_of(
    st.sampled_from(["anh.png", "anh.jpg", "anh.webp", "ANH.PNG", "anh.exe", "anh", ".png", "ảnh chụp.jpeg",
                     "../../etc/passwd.png", "a" * 300 + ".png", "anh.png.php"]),
    st.text(st.characters(exclude_categories=["Cs", "Cc"], exclude_characters='"\\/'), min_size=1, max_size=40),
)
photos = st.one_of(
    st.none(),
    st.builds(
        lambda content, name, content_type: SimpleUploadedFile(name, content, content_type=content_type),
        st.one_of(photo_bytes(), st.binary(max_size=2048)),
        photo_names,
        st.sampled_from(["image/png", "image/jpeg", "application/octet-stream", "text/html", "image/svg+xml", ""]),
    ),
)


def _valid(text: str, limit: int, *, required: bool = False) -> str:
    """``text`` made acceptable to a field: no NUL, within ``limit`` characters, not blank when required."""
    text = text.replace("\x00", "")[:limit]
    return text if text.strip() or not required else "Góp ý " + text[: limit - 6]


# Values a real citizen's browser could send: anything the form accepts, unicode and all.
VALID = {
    "kind": st.sampled_from(FeedbackKind.values),
    "text": tricky_text.map(lambda text: _valid(text, 5000, required=True)),
    "staff_mentioned": tricky_text.map(lambda text: _valid(text, 200)),
    "satisfaction": st.sampled_from(["1", "2", "3", "4", "5", ""]),
    "contact_name": st.one_of(st.just(""), tricky_text.map(lambda text: _valid(text, 150))),
    "contact_phone": st.one_of(st.just(""), st.from_regex(r"\A\+?[0-9 .]{8,20}\Z")),
    "contact_email": st.one_of(st.just(""), st.emails().filter(lambda email: len(email) <= 254)),
    "contact_consent": st.sampled_from(["on", ""]),
    "website": st.just(""),
    "submission_token": st.just("fresh"),
}
# What else may arrive: hostile values, or the field left out (``None``).
HOSTILE = {
    "kind": st.one_of(st.none(), tricky_text),
    "text": st.one_of(st.none(), tricky_text),
    "staff_mentioned": st.one_of(st.none(), tricky_text),
    "satisfaction": st.one_of(st.none(), st.integers(-10, 10).map(str), tricky_text),
    "contact_name": st.one_of(st.none(), tricky_text),
    "contact_phone": st.one_of(st.none(), tricky_text),
    "contact_email": st.one_of(st.none(), tricky_text),
    "contact_consent": st.one_of(st.none(), st.sampled_from(["off", "true", "0", "1", "\x00"]), tricky_text),
    "website": st.one_of(st.none(), tricky_text),  # the honeypot
    "submission_token": st.one_of(st.none(), tricky_text, st.just("A" * 32), st.just("0" * 31)),
}


@st.composite
def submissions(draw) -> dict:
    """POST data: what a citizen's browser sends, with none, some or all of the fields hostile or left out."""
    data = {name: draw(values) for name, values in VALID.items()}
    hostile = draw(st.one_of(st.just(set()), st.sets(st.sampled_from(sorted(HOSTILE)), max_size=3),
                             st.sets(st.sampled_from(sorted(HOSTILE)))))
    for name in hostile:
        data[name] = draw(HOSTILE[name])
    data = {name: value for name, value in data.items() if value is not None}
    photo = draw(photos)
    if photo is not None:
        data["photo"] = photo
    return data


# --- The test -------------------------------------------------------------------------------------------------


def _cleaned(value: str) -> str:
    """A text field as the form cleans it (Django's CharField strips surrounding white space)."""
    return value.strip()


def _check_saved(response, data: dict, sent_photo: bytes | None, before: set) -> None:
    case = FeedbackCase.objects.get()
    assert response["Location"] == f"/feedback/done/{case.tracking_code}/"
    assert case.text == _cleaned(data["text"])
    assert case.kind == data["kind"]
    assert case.staff_mentioned == _cleaned(data.get("staff_mentioned", ""))
    assert case.satisfaction == (int(data["satisfaction"]) if data.get("satisfaction", "").strip() else None)
    contact = [_cleaned(data.get(key, "")) for key in ("contact_name", "contact_phone", "contact_email")]
    if any(contact):
        assert case.contact_consent
        assert [case.contact_name, case.contact_phone, case.contact_email] == contact
    else:
        assert not case.contact_consent and case.contact_name == case.contact_phone == case.contact_email == ""
    new_files = media_files() - before
    if case.photo:
        assert sent_photo is not None and len(sent_photo) <= PHOTO_LIMIT
        (stored,) = new_files
        assert stored.read_bytes() == sent_photo and stored.name == case.photo.name.rsplit("/", 1)[-1]
        stored.unlink()  # the row goes with the savepoint; the file must go too
    else:
        assert not new_files


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_any_post_to_the_feedback_form_saves_one_case_or_refuses_cleanly(thanh_xuan_bac, settings):
    settings.FEEDBACK_RATE_LIMIT = 10**9  # the limit itself is tested in tests/feedback/test_public_form.py
    settings.FEEDBACK_PHOTO_MAX_BYTES = PHOTO_LIMIT
    url = f"/feedback/{thanh_xuan_bac.public_code}/"

    # Past the request body limit (DATA_UPLOAD_MAX_MEMORY_SIZE), Django itself answers 400.
    too_big = {"kind": "praise", "text": "x" * 11 * 1024 * 1024, "submission_token": "fresh"}

    @fuzz_settings(ci_examples=600)
    @given(data=submissions())
    @example(data=too_big)
    @example(data={"kind": "praise", "text": "\x00", "submission_token": "fresh"})
    @example(data={"kind": "praise", "text": "Tốt", "submission_token": "\x00"})  # was a 500 (fixed)
    @example(data={"kind": "praise", "text": "Tốt", "staff_mentioned": "\x00", "submission_token": "fresh"})
    def run(data):
        data = dict(data)
        client = Client()  # a visitor of its own: no session, no cookie from another example
        with rolled_back():
            page = client.get(url, REMOTE_ADDR=ADDRESS)
            assert page.status_code == 200
            if data.get("submission_token") == "fresh":
                data["submission_token"] = TOKEN.search(page.content.decode())[1]
            photo = data.get("photo")
            sent_photo = photo.read() if photo is not None else None
            if photo is not None:
                photo.seek(0)
            before = media_files()

            response = client.post(url, data, REMOTE_ADDR=ADDRESS)

            assert_not_5xx(response)
            if response.status_code == 302 and FeedbackCase.objects.exists():
                _check_saved(response, data, sent_photo, before)
            else:
                assert not FeedbackCase.objects.exists(), "a refused submission left a case behind"
                assert media_files() == before, "a refused submission left a file behind"
                if response.status_code == 302:  # the honeypot: a robot is told it worked
                    assert _cleaned(data.get("website", "")), "a redirect without a case, honeypot empty"
                    assert response["Location"].startswith("/feedback/done/")
                elif response.status_code == 200:
                    html = response.content.decode()
                    assert 'class="alert alert-danger" role="alert"' in html and '<form method="post"' in html
                else:
                    assert response.status_code == 400, response.status_code  # a request Django refuses itself

    run()


def test_a_valid_token_posted_twice_by_fuzzed_clients_still_makes_one_case(thanh_xuan_bac, settings):
    """The one-time token holds whatever else the repeat sends: the second post lands on the first case."""
    settings.FEEDBACK_RATE_LIMIT = 10**9
    url = f"/feedback/{thanh_xuan_bac.public_code}/"

    @fuzz_settings(ci_examples=40)
    @given(text=tricky_text.filter(lambda t: 0 < len(t.strip()) <= 5000 and "\x00" not in t), second=submissions())
    def run(text, second):
        token = uuid.uuid4().hex
        with rolled_back():
            first = Client().post(url, {"kind": "praise", "text": text, "submission_token": token}, REMOTE_ADDR=ADDRESS)
            assert first.status_code == 302
            second = {**second, "submission_token": token}
            again = Client().post(url, second, REMOTE_ADDR=ADDRESS)
            assert_not_5xx(again)
            assert again.status_code == 302 and again["Location"] == first["Location"]
            assert FeedbackCase.objects.count() == 1 and FeedbackCase.objects.get().text == text.strip()

    run()
