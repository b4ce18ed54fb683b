"""CSV import and export of focal points.

The import is all or nothing: every row is checked first (phones, duplicates inside the file and
against the database, choices, places, networks, dates) and a single bad row means nothing is
written, so a roster is never half loaded. The admin's import page and export action call these.
"""

import csv
import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from typing import IO, Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.crypto import lookup_hash
from core.roles import mask_name, mask_phone

from .audit import FOCAL_POINT, Action, audit_record
from .constants import (
    CSV_CHOICE_ALIASES,
    CSV_COLUMNS,
    CSV_DATE_FORMATS,
    CSV_DISCREET_VALUES,
    CSV_IMPORT_MAX_BYTES,
    CSV_NETWORK_SEPARATORS,
    CSV_REQUIRED_COLUMNS,
)
from .models import FocalPoint, Network
from .selectors import LocationIndex, focal_point_list, network_by_codes, phone_hashes_taken
from .services import focal_point_create, membership_start, phones_normalise
from .text import fold

logger = logging.getLogger(__name__)

EXPORT_COLUMNS = ("id", *CSV_COLUMNS, "active", "opted_out_at", "at_risk_since")
CHOICE_COLUMNS = {
    "language": FocalPoint.Language,
    "gender": FocalPoint.Gender,
    "age_band": FocalPoint.AgeBand,
    "role": FocalPoint.Role,
}
PHONE_COLUMNS = ("phone", "phone_alt")
# Spreadsheets run cells starting with these as formulas ("CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TextWriter(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass
class RowError:
    line: int
    messages: list[str]


@dataclass
class ImportResult:
    created: int = 0
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors


@dataclass
class _Row:
    line: int
    fields: dict
    networks: list[Network]


class _FileProblem(Exception):
    """The file as a whole cannot be read (size, encoding, header)."""


def focal_points_import(*, file: IO[bytes], by: AbstractBaseUser | None = None) -> ImportResult:
    """Check every row of a focal point CSV, then create all of them or none."""
    result = ImportResult()
    reader = None
    try:
        # PostgreSQL text cannot hold NUL characters: drop them, as the SMS webhook does.
        text = _decode(_read_limited(file)).replace("\x00", "")
        # Universal newlines: old spreadsheets end lines with a bare carriage return.
        reader = csv.reader(io.StringIO(text, newline=None), delimiter=_delimiter(text))
        columns = _read_header(reader, result)
        rows = _check_rows(reader, columns, result)
    except _FileProblem as exc:
        result.file_errors.append(str(exc))
        return result
    except csv.Error as exc:
        result.file_errors.append(
            _("The file is not a readable CSV file (line %(line)s: %(error)s).")
            % {"line": reader.line_num if reader else 1, "error": exc}
        )
        return result
    if not rows and result.ok:
        result.file_errors.append(_("The file has a header but no focal points."))
    if not result.ok:
        return result

    line, created = 0, []
    try:
        with transaction.atomic():
            for row in rows:
                line = row.line
                # The file's numbers were checked against everyone's in one query above.
                focal_point = focal_point_create(**row.fields, check_taken=False)
                created.append(focal_point.pk)
                for network in row.networks:
                    membership_start(
                        focal_point=focal_point,
                        network=network,
                        joined_on=row.fields["consent_at"] or timezone.localdate(),
                        by=by,
                    )
            audit_record(
                actor=by,
                action=Action.FOCAL_POINT_CHANGED,
                target_type=FOCAL_POINT,
                target_ids=created,
                details={"change": "imported", "count": len(created)},
            )
    except (ValidationError, IntegrityError) as exc:
        # Someone saved the same number while we were checking: the transaction undid it all.
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        result.row_errors.append(RowError(line=line, messages=messages))
        return result
    result.created = len(rows)
    logger.info("Imported %d focal points (by user id %s)", result.created, getattr(by, "pk", None))
    return result


def focal_points_export(
    *, queryset: QuerySet[FocalPoint], writer: TextWriter, reveal_identity: bool
) -> int:
    """Write focal points as CSV (`;`-separated, as French spreadsheets expect); returns the count.

    Without `reveal_identity`, names and numbers are masked and notes left out, since notes are
    free text that often names people.
    """
    out = csv.writer(writer, delimiter=";")
    out.writerow(EXPORT_COLUMNS)
    # The joins of focal_point_list, kept to the rows asked for (an admin filter or selection).
    people = focal_point_list().filter(pk__in=queryset.values("pk"))
    count = 0
    for person in people.order_by("pk"):
        if reveal_identity:
            name, phone, phone_alt = _cell(person.name), person.phone, person.phone_alt
        else:
            name = mask_name(person.name)
            phone, phone_alt = _cell(mask_phone(person.phone)), _cell(mask_phone(person.phone_alt))
        out.writerow(
            [
                person.pk,
                name,
                phone,
                phone_alt,
                person.language,
                person.gender,
                person.age_band,
                person.role,
                _cell(person.home_location.name if person.home_location else ""),
                ";".join(sorted(m.network.code for m in person.open_memberships)),
                person.consent_at.isoformat() if person.consent_at else "",
                _cell(person.notes) if reveal_identity else "",
                {True: "yes", False: "no"}.get(person.discreet, ""),
                "yes" if person.active else "no",
                person.opted_out_at.isoformat() if person.opted_out_at else "",
                person.at_risk_since.isoformat() if person.at_risk_since else "",
            ]
        )
        count += 1
    return count


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _read_limited(file: IO[bytes]) -> bytes:
    raw = file.read(CSV_IMPORT_MAX_BYTES + 1)
    if isinstance(raw, str):
        raw = raw.encode()
    if len(raw) > CSV_IMPORT_MAX_BYTES:
        raise _FileProblem(
            _("The file is larger than %(limit)s MB: split it into smaller files.")
            % {"limit": CSV_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    if not raw.strip():
        raise _FileProblem(_("The file is empty."))
    return raw


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without the BOM Excel adds), UTF-16 from Excel's 'Unicode text', else the
    Windows/Latin-1 encodings older spreadsheets save in."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _FileProblem(_("The file could not be read as text.")) from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return max((";", ",", "\t"), key=header.count)


def _column_key(heading: str) -> str:
    return fold(heading).replace(" ", "_").replace("-", "_")


def _read_header(reader, result: ImportResult) -> list[str]:
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise _FileProblem(_("The file is empty."))
    columns = [_column_key(h) for h in header]
    missing = [c for c in CSV_REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise _FileProblem(
            _("Missing required column(s): %(missing)s. Expected columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(CSV_COLUMNS)}
        )
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        raise _FileProblem(_("Column(s) given twice: %(cols)s.") % {"cols": ", ".join(repeated)})
    unknown = [h for h, c in zip(header, columns, strict=True) if c and c not in CSV_COLUMNS]
    if unknown:
        result.warnings.append(_("Ignored column(s): %(cols)s.") % {"cols": ", ".join(unknown)})
    return columns


class _Checker:
    """What every row is checked against, loaded once for the whole file."""

    def __init__(self) -> None:
        self.places = LocationIndex()
        self.choices = {name: _choice_lookup(name, enum) for name, enum in CHOICE_COLUMNS.items()}
        self.today = timezone.localdate()

    def row(self, values: dict[str, str]) -> tuple[dict, list[str], list[str]]:
        """(fields for focal_point_create, network codes, errors) for one row."""
        errors: list[str] = []
        # Choice columns left blank are absent here, so the model's default applies.
        fields: dict = {"name": values.get("name", "")}
        if not fields["name"]:
            errors.append(_("name: required."))
        elif len(fields["name"]) > 200:
            errors.append(_("name: longer than 200 characters."))
        numbers, phone_errors = phones_normalise(
            phone=values.get("phone", ""), phone_alt=values.get("phone_alt", "")
        )
        fields |= numbers
        for column in PHONE_COLUMNS:
            if column in phone_errors:
                errors.extend(
                    _("%(column)s: %(message)s") % {"column": column, "message": m}
                    for m in phone_errors[column].messages
                )
        for column, lookup in self.choices.items():
            raw = values.get(column, "")
            if not raw:
                continue
            code = lookup.get(fold(raw))
            if code is None:
                errors.append(
                    _("%(column)s: unknown value “%(value)s” (expected one of: %(codes)s).")
                    % {
                        "column": column,
                        "value": raw,
                        "codes": ", ".join(CHOICE_COLUMNS[column].values),
                    }
                )
            else:
                fields[column] = code
        fields["home_location"] = self._place(values.get("home_location", ""), errors)
        fields["consent_at"] = self._date(values.get("consent_at", ""), errors)
        fields["notes"] = values.get("notes", "")
        discreet = fold(values.get("discreet", ""))
        if discreet and discreet not in CSV_DISCREET_VALUES:
            errors.append(
                _("discreet: unknown value “%(value)s” (expected yes, no or nothing).")
                % {"value": values["discreet"]}
            )
        fields["discreet"] = CSV_DISCREET_VALUES.get(discreet)
        codes = [values.get("networks", "")]
        for separator in CSV_NETWORK_SEPARATORS:
            codes = [part for code in codes for part in code.split(separator)]
        return fields, [c.strip() for c in codes if c.strip()], errors

    def _place(self, raw: str, errors: list[str]):
        if not raw:
            return None
        found = self.places.match(raw)
        if not found:
            errors.append(_("home_location: unknown place “%(place)s”.") % {"place": raw})
            return None
        if len(found) > 1:
            errors.append(
                _(
                    "home_location: “%(place)s” is ambiguous (%(paths)s); write it as "
                    "“Place (Territory)”."
                )
                % {"place": raw, "paths": "; ".join(self.places.path(loc) for loc in found)}
            )
            return None
        return found[0]

    def _date(self, raw: str, errors: list[str]) -> dt.date | None:
        if not raw:
            return None
        for fmt in CSV_DATE_FORMATS:
            try:
                day = dt.datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
            if day > self.today:
                errors.append(_("consent_at: %(date)s is in the future.") % {"date": raw})
            return day
        errors.append(_("consent_at: “%(date)s” is not a date (YYYY-MM-DD).") % {"date": raw})
        return None


def _choice_lookup(column: str, enum) -> dict[str, str]:
    """Folded code, English label, French label and usual aliases -> code."""
    lookup: dict[str, str] = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for code, label in enum.choices:
                lookup[fold(str(label))] = code
    lookup.update(CSV_CHOICE_ALIASES.get(column, {}))
    lookup.update({fold(code): code for code in enum.values})
    return lookup


def _check_rows(reader, columns: list[str], result: ImportResult) -> list[_Row]:
    checker = _Checker()
    parsed: list[tuple[int, dict, list[str], list[str]]] = []
    next_line = reader.line_num + 1
    for cells in reader:
        line, next_line = next_line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        errors: list[str] = []
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            errors.append(
                _("%(found)s values for %(expected)s columns (check the separator and quotes).")
                % {"found": len(cells), "expected": len(columns)}
            )
        values = {
            column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column
        }
        fields, codes, row_errors = checker.row(values)
        parsed.append((line, fields, codes, errors + row_errors))

    networks = network_by_codes(sorted({c for _, _, codes, _ in parsed for c in codes}))
    # A number, main or second, belongs to one focal point: checked across the file's rows and
    # against both numbers of everyone already saved, in one query.
    numbers = {f[column] for _, f, _, _ in parsed for column in PHONE_COLUMNS if f[column]}
    digest_of = {number: lookup_hash(number) for number in numbers}
    taken = phone_hashes_taken(list(digest_of.values()))
    first_line_of: dict[str, int] = {}
    rows: list[_Row] = []
    for line, fields, codes, errors in parsed:
        for column in PHONE_COLUMNS:
            phone = fields[column]
            if not phone:
                continue
            if phone in first_line_of:
                errors.append(
                    _("%(column)s: %(phone)s is already on line %(line)s of this file.")
                    % {"column": column, "phone": phone, "line": first_line_of[phone]}
                )
            elif digest_of[phone] in taken:
                errors.append(
                    _("%(column)s: another focal point already has the number %(phone)s.")
                    % {"column": column, "phone": phone}
                )
        for column in PHONE_COLUMNS:
            if fields[column]:
                first_line_of.setdefault(fields[column], line)
        row_networks = []
        for code in codes:
            network = networks.get(code)
            if network is None:
                errors.append(_("networks: unknown network code “%(code)s”.") % {"code": code})
            elif network.status == Network.Status.CLOSED:
                errors.append(_("networks: the network “%(code)s” is closed.") % {"code": code})
            else:
                row_networks.append(network)
        if errors:
            result.row_errors.append(RowError(line=line, messages=errors))
        else:
            rows.append(_Row(line=line, fields=fields, networks=row_networks))
    return rows
