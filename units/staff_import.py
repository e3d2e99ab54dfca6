"""Staff import from Excel — being written; see the interface below."""

from dataclasses import dataclass, field

STAFF_IMPORT_TEMPLATE_NAME = "mau-nhap-can-bo.xlsx"


@dataclass
class RowError:
    row: int
    messages: list[str]


@dataclass
class StaffImportResult:
    created: int = 0
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors


def staff_import_xlsx(*, actor, upload) -> StaffImportResult:
    raise NotImplementedError


def staff_import_template(*, user) -> bytes:
    raise NotImplementedError
