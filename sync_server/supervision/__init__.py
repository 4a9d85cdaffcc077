"""What supervisors do (the console calls these; no web imports): the review queue and its
filters, visit detail with evidence checks, review actions (approve, return, publish, void),
rectifications (整改) and their follow-up, task scheduling and dashboards."""
