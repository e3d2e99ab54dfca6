"""Views of the feedback app: ``public`` (citizens, kiosks, posters; no login) and ``staff`` (inbox, triage)."""
