"""Jinja2 templates and CSS for the questionnaire and the report."""
