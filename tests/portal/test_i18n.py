"""Every string of the interface has a Vietnamese translation, so nothing shows up in English by accident."""

from pathlib import Path
import re

from babel.messages.pofile import read_po
import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE_FOLDERS = ["conduct_portal", "units", "pledges", "evaluations", "feedback", "reports", "templates"]
TEMPLATE_STRING = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
PYTHON_STRING = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*(["'])((?:(?!\1).)+)\1\s*[,)]""")


def _catalog(language):
    with open(ROOT / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po, locale=language)


def _source_strings():
    for folder in SOURCE_FOLDERS:
        for path in (ROOT / folder).rglob("*"):
            if "migrations" in path.parts or path.suffix not in (".py", ".html"):
                continue
            pattern = TEMPLATE_STRING if path.suffix == ".html" else PYTHON_STRING
            for match in pattern.finditer(path.read_text(encoding="utf-8")):
                yield path.relative_to(ROOT), match.group(2)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_message_is_translated(language):
    catalog = _catalog(language)
    untranslated = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated in {language}: {untranslated}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"


def test_every_source_string_is_in_the_catalog():
    known = {m.id for m in _catalog("vi") if m.id}
    missing = sorted({f"{path}: {text}" for path, text in _source_strings() if text not in known})
    assert not missing, "run `manage.py makemessages -l vi -l en` and translate:\n" + "\n".join(missing)


def test_vietnamese_translations_carry_diacritics():
    catalog = _catalog("vi")
    plain = [m.id for m in catalog if m.id and isinstance(m.string, str) and len(m.string) > 12 and m.string.isascii()
             and "%(" not in m.string]
    assert not plain, f"Vietnamese without a single diacritic (untranslated?): {plain}"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_translations_keep_the_placeholders_of_their_messages(language):
    """What `make` runs (pybabel compile) refuses a catalogue with a broken placeholder, and the interface would
    fall back to English: "% of" read as a format in the message but not in its translation, say."""
    problems = [f"{message.id!r}: {errors}" for message, errors in _catalog(language).check()]
    assert not problems, problems
