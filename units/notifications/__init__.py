"""Notifications: an event on an object of a unit fans out to the users whose role and scope make it their business.

Each recipient gets an in-portal notification (the bell in the header, ``/notifications/``) and, as their
preference for that kind of event says, an immediate e-mail, a line in the daily digest, or nothing.

- ``kinds``: every kind of event, its wording and its default delivery;
- ``models``: ``Notification`` (one per recipient and event, unique on ``(recipient, event_key)``) and
  ``NotificationPreference`` (registered in the units app through ``units.models``);
- ``services``: ``notify`` (the one entry point of the other apps), marking read, preferences, unsubscribing;
- ``emails``: the immediate e-mail and the daily digest (Celery tasks in ``units.tasks``);
- ``selectors``, ``views``, ``forms``, ``context_processors``: the bell, the list and the preferences page.
"""
