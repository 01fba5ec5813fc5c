"""Builders shared by every app's tests. Apps add their own next to their tests."""

import factory
from allauth.account.models import EmailAddress

from circles.models import AgreementVersion, Circle, Membership, Topic
from members.models import User

TEST_PASSWORD = "a-long-test-passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Members in tests have confirmed their email unless told otherwise."""
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class CircleFactory(factory.django.DjangoModelFactory):
    """A circle with version 1 of its agreements."""

    class Meta:
        model = Circle
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Circle {n}")
    slug = factory.Sequence(lambda n: f"circle-{n}")
    description = "A small circle for people who have been there."
    agreements_version = 1

    @factory.post_generation
    def agreements(self, create, extracted, **kwargs):
        if create:
            AgreementVersion.objects.create(
                circle=self,
                version=self.agreements_version,
                text=extracted or "- We listen without fixing.\n- What is said here stays here.",
            )

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    circle = factory.SubFactory(CircleFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    state = Membership.State.ACTIVE
    accepted_version = factory.LazyAttribute(lambda m: m.circle.agreements_version)
