"""What every app uses and that knows no domain: dates, text, uploads, files, form helpers, workbooks, background jobs, audit history."""
