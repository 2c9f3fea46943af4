"""The grader's HTML pages: jinja2 templates in grader/grading/templates, rendered with autoescaping."""

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def _environment() -> Environment:
    """The templates' environment, made on first use."""
    return Environment(loader=PackageLoader("grader.grading", "templates"), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(template_name: str, **context) -> str:
    """The template ``template_name`` rendered with ``context``; every value is HTML-escaped."""
    return _environment().get_template(template_name).render(**context)
