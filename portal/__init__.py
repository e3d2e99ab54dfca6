"""The pages that span every app: the landing page, the user's account (two-factor login), navigation and the audit trail."""
