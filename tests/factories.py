"""factory-boy factories for the portal's models."""

import datetime

import factory
from factory.django import DjangoModelFactory

from conduct_portal.text import fold_diacritics
from units.choices import StaffCategory
from units.models import Staff, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.PostGenerationMethodCall("set_password", "hanoi-2026")


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
