"""The networks app's rows in the handover archive: users, places, networks, focal points (with
consent only), their memberships and equipment.

Places are matched by their path in the gazetteer, so a receiving instance that already loaded
the same gazetteer keeps its own rows. Networks, and focal points' numbers, must be new there.
"""

from collections.abc import Iterator

from django.contrib.auth.models import Group, User
from django.db.models import Q
from django.utils.translation import gettext as _

from core.crypto import lookup_hash
from core.roles import CLA, mask_phone

from ..models import Equipment, FocalPoint, Location, Membership, Network
from ..selectors import phone_hashes_taken
from ..services import focal_point_create, membership_record, phones_normalise
from ..text import fold
from .context import (
    ExportContext,
    HandoverError,
    ImportContext,
    Kind,
    Row,
    archive_id,
    dump_users,
    iso,
    keep_created_at,
    number,
    row_where,
    text,
    to_date,
    to_datetime,
    to_decimal,
)


def _flag(value) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ValueError(_("true, false or null is expected, not %(value)r") % {"value": value})
    return value


# --- Users -----------------------------------------------------------------------------------


def load_users(ctx: ImportContext) -> None:
    """Users are found by username; a missing one is created inactive, without a password,
    in the CLA role when they worked as one: an admin activates them."""
    cla_group = Group.objects.filter(name=CLA).first()
    for line, row in ctx.rows("users"):
        with ctx.row("users", line):
            username = text(row["username"])
            if username in ctx.users:
                raise HandoverError(
                    _("the user %(username)s appears twice.") % {"username": username}
                )
            user = User.objects.filter(username=username).first()
            if user is not None:
                ctx.report.users_found.append(username)
            else:
                user = User(
                    username=username,
                    first_name=text(row.get("first_name", "")),
                    last_name=text(row.get("last_name", "")),
                    email=text(row.get("email", "")),
                    is_active=False,
                )
                user.set_unusable_password()
                user.full_clean(exclude=["password"])
                user.save()
                if row.get("cla") and cla_group is not None:
                    user.groups.add(cla_group)
                ctx.report.users_created.append(username)
            ctx.users[username] = user


# --- Places ----------------------------------------------------------------------------------


def dump_places(ctx: ExportContext) -> Iterator[Row]:
    """The whole gazetteer, each place after its parent."""
    places = list(Location.objects.order_by("pk"))
    children: dict[int | None, list[Location]] = {}
    for place in places:
        children.setdefault(place.parent_id, []).append(place)
    level = children.get(None, [])
    while level:
        for place in level:
            yield {
                "id": ctx.local_id("places", place.pk),
                "name": place.name,
                "kind": place.kind,
                "parent": ctx.ref("places", place.parent_id),
                "alternate_names": place.alternate_names or [],
                "latitude": number(place.latitude),
                "longitude": number(place.longitude),
            }
        level = [child for place in level for child in children.get(place.pk, [])]


def load_places(ctx: ImportContext) -> None:
    for line, row in ctx.rows("places"):
        with ctx.row("places", line):
            parent = ctx.get_optional("places", row["parent"])
            name, kind = text(row["name"]), text(row["kind"])
            place = Location.objects.filter(parent=parent, name=name, kind=kind).first()
            if place is not None:
                ctx.report.reused["places"] += 1
            else:
                alternate_names = row.get("alternate_names") or []
                if not isinstance(alternate_names, list):
                    raise ValueError(_("alternate names are a list"))
                place = Location(
                    name=name,
                    kind=kind,
                    parent=parent,
                    alternate_names=[text(n) for n in alternate_names],
                    latitude=to_decimal(row.get("latitude")),
                    longitude=to_decimal(row.get("longitude")),
                )
                place.full_clean()
                place.save()
                ctx.report.created["places"] += 1
            ctx.put("places", row["id"], place)


# --- Networks --------------------------------------------------------------------------------


def dump_networks(ctx: ExportContext) -> Iterator[Row]:
    for network in Network.objects.select_related("cla").prefetch_related("area").order_by("pk"):
        yield {
            "id": ctx.local_id("networks", network.pk),
            "code": network.code,
            "name": network.name,
            "status": network.status,
            "started_on": iso(network.started_on),
            "dormant_since": iso(network.dormant_since),
            "closed_on": iso(network.closed_on),
            "base": ctx.ref("places", network.base_id),
            "area": ctx.refs("places", [place.pk for place in network.area.all()]),
            "cla": ctx.user(network.cla, cla=True),
            "discreet": network.discreet,
            "notes": network.notes,
        }


def check_networks(ctx: ImportContext) -> list[str]:
    codes = {row.get("code"): line for line, row in ctx.rows("networks")}
    taken = Network.objects.filter(code__in=[c for c in codes if isinstance(c, str)])
    return [
        row_where("networks", codes[code])
        + _("a network with the code %(code)s already exists here.") % {"code": code}
        for code in sorted(taken.values_list("code", flat=True))
    ]


def load_networks(ctx: ImportContext) -> None:
    for line, row in ctx.rows("networks"):
        with ctx.row("networks", line):
            network = Network(
                code=text(row["code"]),
                name=text(row["name"]),
                status=text(row["status"]),
                started_on=to_date(row.get("started_on")),
                dormant_since=to_date(row.get("dormant_since")),
                closed_on=to_date(row.get("closed_on")),
                base=ctx.get_optional("places", row.get("base")),
                cla=ctx.user(row.get("cla")),
                discreet=_flag(row.get("discreet", False)),
                notes=text(row.get("notes", "")),
            )
            network.full_clean()
            network.save()
            network.area.set(ctx.get_many("places", row.get("area", [])))
            ctx.put("networks", row["id"], network)
            ctx.report.created["networks"] += 1


# --- Focal points ----------------------------------------------------------------------------


def dump_focal_points(ctx: ExportContext) -> Iterator[Row]:
    """Only focal points who gave their consent, with their names and numbers in clear."""
    for person in FocalPoint.objects.filter(consent_at__isnull=False).order_by("pk"):
        yield {
            "id": ctx.local_id("focal_points", person.pk),
            "name": person.name,
            "phone": person.phone,
            "phone_alt": person.phone_alt,
            "language": person.language,
            "gender": person.gender,
            "age_band": person.age_band,
            "role": person.role,
            "home_location": ctx.ref("places", person.home_location_id),
            "consent_at": iso(person.consent_at),
            "opted_out_at": iso(person.opted_out_at),
            "active": person.active,
            # Their safety travels with them: the wording their phone may show, and a threat
            # not yet seen to (who marked it stays here: a reason says what did).
            "discreet": person.discreet,
            "at_risk_since": iso(person.at_risk_since),
            "at_risk_reason": person.at_risk_reason,
            "notes": person.notes,
            "created_at": iso(person.created_at),
        }


def check_focal_points(ctx: ImportContext) -> list[str]:
    """Numbers that already belong to someone here. The same person (same main number and name,
    no number of anyone else's) is linked to instead of created; anyone else is a conflict."""
    conflicts: list[str] = []
    people: list[tuple[int, int, str, dict[str, str]]] = []
    seen: dict[str, int] = {}  # number's hash -> line
    for line, row in ctx.rows("focal_points"):
        with ctx.row("focal_points", line):
            numbers, errors = phones_normalise(
                phone=text(row["phone"]), phone_alt=text(row.get("phone_alt", ""))
            )
            if errors:
                raise HandoverError(
                    "; ".join(" ".join(error.messages) for error in errors.values())
                )
            hashed = {lookup_hash(n): n for n in (numbers["phone"], numbers["phone_alt"]) if n}
            for digest, phone in hashed.items():
                if digest in seen:
                    conflicts.append(
                        row_where("focal_points", line)
                        + _("the number %(phone)s is also on line %(line)s.")
                        % {"phone": mask_phone(phone), "line": seen[digest]}
                    )
                seen[digest] = line
            people.append((line, archive_id(row["id"]), text(row["name"]), hashed))
    taken = phone_hashes_taken(list(seen))
    for line, local_id, name, hashed in people:
        clashing = [digest for digest in hashed if digest in taken]
        if not clashing:
            continue
        owners = set(
            FocalPoint.objects.filter(
                Q(phone_hash__in=clashing) | Q(phone_alt_hash__in=clashing)
            ).values_list("pk", flat=True)
        )
        main = next(iter(hashed))
        owner = FocalPoint.objects.filter(phone_hash=main).first()
        if owner is not None and owners == {owner.pk} and fold(owner.name) == fold(name):
            ctx.matched[local_id] = owner
            continue
        conflicts.append(
            row_where("focal_points", line)
            + _("the number %(phone)s already belongs to another focal point here (%(ids)s).")
            % {
                "phone": mask_phone(hashed[clashing[0]]),
                "ids": ", ".join(f"#{pk}" for pk in sorted(owners)),
            }
        )
    return conflicts


def load_focal_points(ctx: ImportContext) -> None:
    for line, row in ctx.rows("focal_points"):
        with ctx.row("focal_points", line):
            existing = ctx.matched.get(archive_id(row["id"]))
            if existing is not None:
                ctx.put("focal_points", row["id"], existing)
                ctx.report.reused["focal_points"] += 1
                continue
            person = focal_point_create(
                name=text(row["name"]),
                phone=text(row["phone"]),
                phone_alt=text(row.get("phone_alt", "")),
                language=text(row["language"]),
                gender=text(row["gender"]),
                age_band=text(row["age_band"]),
                role=text(row["role"]),
                home_location=ctx.get_optional("places", row.get("home_location")),
                consent_at=to_date(row["consent_at"]),
                opted_out_at=to_datetime(row.get("opted_out_at")),
                active=bool(row.get("active", True)),
                discreet=_flag(row.get("discreet")),
                at_risk_since=to_datetime(row.get("at_risk_since")),
                at_risk_reason=text(row.get("at_risk_reason", "")),
                notes=text(row.get("notes", "")),
            )
            keep_created_at(person, row.get("created_at"))
            ctx.put("focal_points", row["id"], person)
            ctx.report.created["focal_points"] += 1


def created_focal_point_ids(ctx: ImportContext) -> list[int]:
    matched = {person.pk for person in ctx.matched.values()}
    return sorted(p.pk for p in ctx.objects["focal_points"].values() if p.pk not in matched)


# --- Memberships and equipment ---------------------------------------------------------------


def dump_memberships(ctx: ExportContext) -> Iterator[Row]:
    memberships = Membership.objects.filter(focal_point__consent_at__isnull=False).order_by(
        "focal_point_id", "joined_on", "pk"
    )
    for membership in memberships:
        yield {
            "focal_point": ctx.ref("focal_points", membership.focal_point_id),
            "network": ctx.ref("networks", membership.network_id),
            "joined_on": iso(membership.joined_on),
            "left_on": iso(membership.left_on),
            "left_reason": membership.left_reason,
        }


def load_memberships(ctx: ImportContext) -> None:
    """Through the service that records past memberships: overlapping periods are refused."""
    for line, row in ctx.rows("memberships"):
        with ctx.row("memberships", line):
            person = ctx.get("focal_points", row["focal_point"])
            network = ctx.get("networks", row["network"])
            joined_on, left_on = to_date(row["joined_on"]), to_date(row.get("left_on"))
            if joined_on is None:
                raise KeyError("joined_on")
            membership_record(
                focal_point=person,
                network=network,
                joined_on=joined_on,
                left_on=left_on,
                reason=text(row.get("left_reason", "")),
            )
            ctx.report.created["memberships"] += 1


def dump_equipment(ctx: ExportContext) -> Iterator[Row]:
    equipment = (
        Equipment.objects.filter(focal_point__consent_at__isnull=False)
        .select_related("given_by")
        .order_by("focal_point_id", "given_on", "pk")
    )
    for item in equipment:
        yield {
            "id": ctx.local_id("equipment", item.pk),
            "focal_point": ctx.ref("focal_points", item.focal_point_id),
            "kind": item.kind,
            "given_on": iso(item.given_on),
            "amount": number(item.amount),
            "currency": item.currency,
            "serial": item.serial,
            "given_by": ctx.user(item.given_by),
            "notes": item.notes,
        }


def load_equipment(ctx: ImportContext) -> None:
    for line, row in ctx.rows("equipment"):
        with ctx.row("equipment", line):
            item = Equipment(
                focal_point=ctx.get("focal_points", row["focal_point"]),
                kind=text(row["kind"]),
                given_on=to_date(row["given_on"]),
                amount=to_decimal(row.get("amount")),
                currency=text(row.get("currency", "USD")),
                serial=text(row.get("serial", "")),
                given_by=ctx.user(row.get("given_by")),
                notes=text(row.get("notes", "")),
            )
            item.full_clean()
            item.save()
            ctx.put("equipment", row["id"], item)
            ctx.report.created["equipment"] += 1


USERS = Kind("users", dump=dump_users, load=load_users)
KINDS = (
    Kind("places", dump=dump_places, load=load_places),
    Kind("networks", dump=dump_networks, load=load_networks, check=check_networks),
    Kind("focal_points", dump=dump_focal_points, load=load_focal_points, check=check_focal_points),
    Kind("memberships", dump=dump_memberships, load=load_memberships),
    Kind("equipment", dump=dump_equipment, load=load_equipment),
)
