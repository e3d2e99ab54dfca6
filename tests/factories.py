"""factory-boy factories for the portal's models."""

import datetime

import factory
from factory.django import DjangoModelFactory

from core.text import fold_diacritics
from units.choices import StaffCategory
from units.models import Staff, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or "hanoi-2026")
        if create:
            user.save(update_fields=["password"])


class StaffFactory(DjangoModelFactory):
    """A staff member created straight in the database (services are tested on their own)."""

    class Meta:
        model = Staff

    staff_code = factory.Sequence(lambda n: f"T{n:05d}")
    full_name = factory.Faker("name", locale="vi_VN")
    category = StaffCategory.CIVIL_SERVANT
    position = "Công chức Văn phòng - Thống kê"
    active_from = datetime.date(2020, 1, 1)
    search_name = factory.LazyAttribute(lambda o: fold_diacritics(o.full_name))
