"""Demo data for the conduct app: a few CBCM members and one complaint entered from the form.

Idempotent: members are keyed on their number, and the complaint is entered only while the
demo has none. Invented people and numbers (the demo's +243 97 range)."""

from django.contrib.auth.models import User

from core.crypto import lookup_hash
from networks.models import Location

from .models import CbcmMember, Complaint
from .services import complaint_create, member_create

MEMBERS = [
    ("Furaha Zawadi", "+243970900001", "Mbau", "female"),
    ("Neema Kasereka", "+243970900002", "Oicha", "female"),
    ("Paluku Muhindo", "+243970900003", "Kanyabayonga", "male"),
]
COMPLAINT = (
    "Une femme de Mbau dit qu'un militaire de la base lui a demandé des rapports sexuels en "
    "échange de nourriture. Elle veut parler à une femme du personnel."
)


def seed() -> int:
    """Returns how many members the registry holds."""
    first = None
    for name, phone, place, gender in MEMBERS:
        location = Location.objects.filter(name=place).exclude(kind="province").first()
        if location is None:
            continue
        member = CbcmMember.objects.filter(phone_hash=lookup_hash(phone)).first()
        if member is None:
            member = member_create(name=name, phone=phone, location=location, gender=gender)
        first = first or member
    if first is not None and not Complaint.objects.exists():
        complaint_create(
            text=COMPLAINT,
            source=Complaint.Source.FORM,
            by=User.objects.filter(username="conduct").first(),
            member=first,
            location=first.location,
        )
    return CbcmMember.objects.count()
