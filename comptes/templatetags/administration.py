"""Template helper: whether to show the link to the admin."""

from django import template

from comptes.roles import SESSION_ADMINISTRATION, sees_the_admin

register = template.Library()


@register.filter
def voit_l_administration(request) -> bool:
    """True when the admin has at least one model to show this user (decided at login); staff alone is not enough."""
    session = getattr(request, "session", None)
    if session is None:
        return False
    if SESSION_ADMINISTRATION not in session:  # a session opened before this was noted at login
        session[SESSION_ADMINISTRATION] = sees_the_admin(request)
    return session[SESSION_ADMINISTRATION]
