"""Text helpers for Vietnamese: folding diacritics for search and for URL-safe codes."""

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
