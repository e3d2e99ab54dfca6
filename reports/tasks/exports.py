"""Background jobs of the reports app: exports."""

__all__: list[str] = []
