"""The handling of violations: disciplinary decisions (Decree 112/2020/NĐ-CP), their status and follow-up."""
