"""The bell's unread count on every page: one indexed count, only when the page renders it."""

from django.utils.functional import SimpleLazyObject

from units.notifications.selectors import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user=user))}
