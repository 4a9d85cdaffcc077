"""Shared domain of Mingcha: templates, scoring, workflow rules, problem codes. Pure Python."""
