"""Text helpers for Vietnamese: folding diacritics for search and for URL-safe codes; the place name written
before the date of an administrative document."""

import re
import unicodedata

from django.utils.text import slugify

_SPACES = re.compile(r"\s+")


def fold_diacritics(text: str) -> str:
    """Lower-case ``text`` and strip Vietnamese diacritics, so "Thanh Xuân Bắc" and "thanh xuan bac" match.

    'đ' is a letter of its own, not a d with a mark, so Unicode decomposition leaves it alone: it is mapped
    explicitly.
    """
    text = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text).strip().lower()


def ascii_slug(text: str) -> str:
    """A URL-safe slug of ``text`` with diacritics folded ("Phường Thanh Xuân Bắc" → "phuong-thanh-xuan-bac")."""
    return slugify(fold_diacritics(text))


# The administrative kinds that begin unit names.
UNIT_NAME_PREFIXES = ("Thành phố ", "Thị xã ", "Thị trấn ", "Đặc khu ", "Quận ", "Huyện ", "Phường ", "Xã ", "Tỉnh ")


def place_name(name: str) -> str:
    """"Quận Thanh Xuân" → "Thanh Xuân", "Thành phố Hà Nội" → "Hà Nội": the place written before the date of a
    document ("Thanh Xuân, ngày … tháng … năm …")."""
    for prefix in UNIT_NAME_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name
