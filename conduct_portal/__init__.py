"""Conduct Portal (Cổng Quy tắc ứng xử): codes of conduct for Vietnamese local government."""

from .celery import app as celery_app

__all__ = ("celery_app",)
