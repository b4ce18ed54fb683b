"""Helpers for tests in a real browser: Debian's Chromium driven by Playwright (the `browser`
and `browser_page` fixtures of tests/conftest.py launch it), logging in through the form, where
screenshots go, what a page must never show a viewer (phone numbers) and what a French page
must never show (English the catalogue translates)."""

import ast
import os
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import phonenumbers
import pytest
from django.conf import settings

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    expect = sync_playwright = None

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pw-kengele-test"  # tests/factories/users.py
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# Anything but the live server (map tiles, mostly): tests never reach outside the machine.
OUTSIDE = re.compile(r"^https?://(?!(127\.0\.0\.1|localhost)[:/])")

# CI installs the browser and sets KENGELE_REQUIRE_BROWSER, so that there a missing browser
# fails the run; on a laptop without Chromium the browser tests are skipped, saying why.
BROWSER_REQUIRED = os.environ.get("KENGELE_REQUIRE_BROWSER", "").lower() in ("1", "true", "yes")
BROWSER_MISSING = (
    "playwright is not installed (pip install playwright)"
    if sync_playwright is None
    else f"no browser at {CHROMIUM} (Debian: apt-get install chromium; never `playwright install`)"
    if not os.access(CHROMIUM, os.X_OK)
    else ""
)
needs_playwright = pytest.mark.skipif(
    bool(BROWSER_MISSING) and not BROWSER_REQUIRED, reason=BROWSER_MISSING or "browser present"
)


def off_loop(fn, *args, **kwargs):
    """Run ORM code in another thread: Playwright's sync API keeps an event loop running in
    this one, where Django refuses synchronous database calls."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


@contextmanager
def chromium():
    """Debian's Chromium, headless, driven by Playwright; closed on leaving the block."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def log_in(page, base_url: str, username: str, *, then: str = "/dashboard/") -> None:
    """Through the login form, as a person would."""
    page.goto(f"{base_url}/accounts/login/?next={then}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}{then}")


def screenshots_dir() -> Path:
    """`$TEST_ARTIFACTS_DIR/screenshots`, else `var/artifacts/screenshots` under the var folder
    (CI keeps var/)."""
    root = os.environ.get("TEST_ARTIFACTS_DIR") or Path(settings.VAR_DIR) / "artifacts"
    folder = Path(root) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- Phone numbers a page must not show ----------------------------------------------------
# A run of digits, possibly with a leading + (or %2B in a URL) and spaced, dotted or hyphenated.
_DIGIT_RUN = re.compile(r"(?:\+|%2B)?\d(?:[\d \u00a0\u202f.\-]*\d)?", re.IGNORECASE)
_DRC_RUN = re.compile(r"(?:\+|%2B)\s?243[\s\u00a0\u202f.\-]?\d", re.IGNORECASE)
_TEL_LINK = re.compile(r"tel:\s*(?:\+|%2B)?\d", re.IGNORECASE)


def phone_formats(phone: str) -> list[str]:
    """E.164 and the usual ways of writing the number: +243 99 123 4567, 099 123 4567,
    0991234567."""
    number = phonenumbers.parse(phone)
    formats = {
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
    }
    formats |= {re.sub(r"[^\d+]", "", f) for f in formats}
    return sorted(formats)


def phone_leaks(haystack: str, phone: str) -> list[str]:
    """Where `haystack` (a page's text or HTML) shows `phone` in any format, or any +243 number."""
    national = str(phonenumbers.parse(phone).national_number)
    found = [f for f in phone_formats(phone) if f in haystack]
    for run in _DIGIT_RUN.findall(haystack):
        digits = re.sub(r"\D", "", re.sub("%2B", "", run, flags=re.IGNORECASE))
        if national in digits:
            found.append(run)
    found += [m.group() + "…" for m in _DRC_RUN.finditer(haystack)]
    if _TEL_LINK.search(haystack):
        found.append("a tel: link")
    return sorted(set(found))


# --- English a French page must not show ---------------------------------------------------
# English msgids that are French words or names too, and so may rightly show on a French page.
# (Words the French translations themselves use are recognised from the catalogue.)
FRENCH_TOO = frozenset(
    {"Active", "active", "direction", "Dormant", "Main", "Mine", "Minutes", "minutes", "Notice"}
    | {"Place", "place", "Places", "places", "Record", "Reporter", "reporter", "Sent", "Triage"}
    | {"triage", "user"}
)
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Entry:
    msgid: str
    msgstr: str
    catalogue: str


def po_entries(path: Path) -> list[Entry]:
    """msgid → translation of a gettext catalogue; a plural gives an entry per form; fuzzy
    entries count (Django ignores their translation, so the English would show)."""
    entries: list[Entry] = []
    record: dict[str, str] = {}
    field = ""

    def flush() -> None:
        if record.get("msgid"):
            forms = sorted(k for k in record if k.startswith("msgstr"))
            translations = [record[k] for k in forms]
            entries.append(Entry(record["msgid"], translations[0], path.name))
            if "msgid_plural" in record:
                entries.append(Entry(record["msgid_plural"], translations[-1], path.name))
        record.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            field = ""
            continue
        if line.startswith("#"):  # comments, flags and obsolete entries ("#~")
            continue
        keyword, _, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and field.startswith("msgstr"):
            flush()
        if line.startswith('"'):
            record[field] += ast.literal_eval(line)
        else:
            field = keyword
            record[field] = ast.literal_eval(value)
    flush()
    return entries


def catalogues() -> list[Path]:
    return sorted(
        [*ROOT.glob("locale/fr/LC_MESSAGES/django.po"), *ROOT.glob("*/locale/fr/LC_MESSAGES/*.po")]
    )


def _pattern(msgid: str) -> re.Pattern | None:
    """The msgid as it would read on a page: placeholders filled, tags gone, any spacing."""
    text = _TAG.sub(" ", msgid).replace("%%", "%")
    # A placeholder at either end says nothing about the page: only the words between count.
    ends = rf"^(\s*(?:{_PLACEHOLDER.pattern}))+|((?:{_PLACEHOLDER.pattern})\s*)+$"
    text = re.sub(ends, "", text).strip()
    fixed = _PLACEHOLDER.sub(" ", text)
    # Only the words between the placeholders say anything: "d … h" or ": ." would match anything.
    if len(fixed.strip()) <= 3 or not re.search(r"[A-Za-z]{3}", fixed):
        return None
    pieces = [r"\s+".join(map(re.escape, piece.split())) for piece in _PLACEHOLDER.split(text)]
    start = r"(?<!\w)" if re.match(r"\w", text) else ""
    end = r"(?!\w)" if re.search(r"\w$", text) else ""
    return re.compile(start + r"\s*.{0,60}?\s*".join(pieces) + end)


@cache
def english_to_catch() -> tuple[tuple[str, re.Pattern], ...]:
    """English msgids whose French differs and which no French reader would write: their
    presence on a French page means a string escaped translation."""
    entries = [e for path in catalogues() for e in po_entries(path)]
    french_words = {word.lower() for e in entries for word in re.findall(r"\w[\w’'-]*", e.msgstr)}
    caught = {}
    for e in entries:
        english = e.msgid.strip()
        if not e.msgstr or e.msgstr.strip() == english or english in FRENCH_TOO:
            continue
        if re.fullmatch(r"[\w’'-]+", english) and english.lower() in french_words:
            continue
        pattern = _pattern(e.msgid)
        if pattern is not None:
            caught.setdefault(e.msgid, pattern)
    return tuple(caught.items())


def untranslated(text: str) -> list[str]:
    """The catalogue's English msgids found verbatim in `text` (a French page's visible text),
    each with the words around it."""
    text = re.sub(r"[\s\u00a0\u202f]+", " ", text)
    found = []
    for msgid, pattern in english_to_catch():
        if match := pattern.search(text):
            around = text[max(0, match.start() - 30) : match.end() + 30].strip()
            found.append(f"{msgid!r} in “…{around}…”")
    return found


VISIBLE_TEXT = """(skip) => {
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("svg text, svg title")) parts.push(el.textContent);
  for (const el of document.querySelectorAll("[placeholder], [aria-label]")) {
    if (el.checkVisibility && !el.checkVisibility()) continue;
    parts.push(el.getAttribute("placeholder") || "", el.getAttribute("aria-label") || "");
  }
  const foreign = ['[lang]:not([lang|="fr"]):not(html)', ...skip].join(",");
  let text = parts.join("\\n");
  for (const el of document.querySelectorAll(foreign)) {
    const own = (el.innerText || el.textContent || "").trim();
    if (own.length > 3) text = text.split(own).join(" ");  // "EN" alone matches no msgid
  }
  return text;
}"""


def visible_text(page, *, skip: tuple[str, ...] = ()) -> str:
    """What a reader meets on the page: its title, rendered text (chart labels included) and
    the placeholders and labels read out by screen readers; less what is marked as another
    language (`lang`) and the elements matching the CSS selectors in `skip` (data written in
    another language, for instance)."""
    return page.evaluate(VISIBLE_TEXT, list(skip))


@contextmanager
def screenshots_on_failure(browser, prefix: str):
    """Keep a full-page screenshot of every open page when the block fails, for the CI log."""
    try:
        yield
    except BaseException:
        folder = screenshots_dir()
        pages = [page for context in browser.contexts for page in context.pages]
        for number, page in enumerate(pages, 1):
            try:
                page.screenshot(path=folder / f"{prefix}-failure-{number}.png", full_page=True)
            except Exception:  # a page closed meanwhile: nothing to keep
                continue
        raise


# English no French page may show, whether or not the catalogue has it: the debug words of the
# triage explanation, the buttons and headings of forms and the admin, and model or field names
# left without a verbose name. Matched as whole words, case-sensitive where a capital matters
# (French shares "Place", "Minutes", "Incident"...: those are not listed).
ENGLISH_WORDS = (
    *("per category", "per_category", "kept", "negated", "negated_by", "not_alert_evidence"),
    *("unread_words", "Submit", "Save", "Delete", "Cancel", "Search", "Filter", "Reset"),
    *("History", "Add", "Change", "Details", "Network", "Networks", "network", "networks"),
    *("Alert", "Alerts", "Priority", "Categories", "Risk factors", "Language", "Status"),
    *("Recognised terms", "Words read", "focal point", "Focal point", "Focal points"),
    *("reporters", "mechanisms", "Legend", "Coverage", "Map", "Open in the queue"),
    *("Select", "View", "True", "False", "None", "by", "Unknown", "Not triaged yet"),
)
_ENGLISH_WORDS = re.compile(
    r"(?<![\w’'-])(" + "|".join(map(re.escape, ENGLISH_WORDS)) + r")(?![\w’'-])"
)
# A programmer's name (snake_case) in visible text: an untranslated code or field name.
_SNAKE_CASE = re.compile(r"(?<![\w./@:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./@:-])")


def english_words(text: str) -> list[str]:
    """The words of ENGLISH_WORDS in `text` (a French page's visible text), each in context."""
    text = re.sub(r"[\s\u00a0\u202f]+", " ", text)
    return [
        f"{m.group()!r} in “…{text[max(0, m.start() - 30) : m.end() + 30]}…”"
        for m in _ENGLISH_WORDS.finditer(text)
    ]


def snake_case_words(text: str) -> list[str]:
    """Identifiers written like code (`membership_left_after_joined`) in visible text."""
    return sorted(set(_SNAKE_CASE.findall(text)))


def french_page_problems(text: str) -> list[str]:
    """Everything a French page's visible text must not show: English the catalogue
    translates, the English of ENGLISH_WORDS, snake_case identifiers."""
    return (
        untranslated(text)
        + english_words(text)
        + [f"identifier {word!r}" for word in snake_case_words(text)]
    )


class _VisibleText(HTMLParser):
    """The text of an HTML page a reader meets, without a browser: no script, style or
    template, no element marked as another language, no HTML comment."""

    SKIP = {"script", "style", "template", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # open elements: (tag, content hidden?)

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.VOID:
            values = dict(attrs)
            for name in ("placeholder", "aria-label"):
                if values.get(name):
                    self.parts.append(values[name])
            return
        lang = dict(attrs).get("lang") or ""
        hidden = tag in self.SKIP or bool(lang and tag != "html" and not lang.startswith("fr"))
        self.stack.append((tag, hidden or self._hidden()))
        if not self._hidden():
            label = dict(attrs).get("aria-label") or dict(attrs).get("placeholder")
            if label:
                self.parts.append(label)

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_endtag(self, tag) -> None:
        # An element left open (<li>, <option>) closes with its parent.
        if any(open_tag == tag for open_tag, _hidden in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data) -> None:
        if not self._hidden():
            self.parts.append(data)


def html_visible_text(html: str) -> str:
    """What a reader meets on a server-rendered page (the test client's): tags, scripts,
    styles and text marked as another language removed; labels read out kept."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", " ".join(parser.parts))
