"""The annual classification (xếp loại chất lượng năm): each staff member's year computed from the year's
monthly or quarterly results by the scheme's annual rule (``rules``), the self-assessment, the unit head's review,
the level above's approval that locks the unit's list, and the printable evaluation form and list."""
