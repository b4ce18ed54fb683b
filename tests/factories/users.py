"""Dashboard users, each in the role (Django group) a test names."""

import factory
from django.contrib.auth.models import Group, User

PASSWORD = "pw-kengele-test"


class UserFactory(factory.django.DjangoModelFactory):
    """UserFactory(role="analyst") is an analyst: roles are the groups of core.roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @classmethod
    def with_role(cls, role: str, **kwargs) -> User:
        """A user of that role, named after it unless told otherwise."""
        return cls(role=role, username=kwargs.pop("username", role), **kwargs)
