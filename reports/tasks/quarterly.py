"""Background jobs of the reports app: quarterly."""

__all__: list[str] = []
