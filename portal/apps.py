from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self):
        from portal import two_factor  # imports models: only once the registry is ready

        two_factor.connect()
