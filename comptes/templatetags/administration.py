"""Template helper: whether to show the link to the admin."""

from django import template

from comptes.roles import sees_the_admin

register = template.Library()


@register.filter
def voit_l_administration(request) -> bool:
    """True when the admin has at least one model to show this user; staff alone is not enough."""
    return sees_the_admin(request)
