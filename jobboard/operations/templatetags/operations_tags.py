from django import template

from jobboard.operations.health_page import Summary, summary

register = template.Library()


@register.simple_tag
def operations_summary() -> Summary:
    return summary()
