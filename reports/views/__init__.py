"""Pages of the reports app: quarterly reports, commendation lists, dashboards and exports."""
