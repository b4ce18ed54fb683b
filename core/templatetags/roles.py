from django import template

from core.roles import can

register = template.Library()


@register.simple_tag(takes_context=True)
def user_can(context, capability: str) -> bool:
    """{% user_can "send_broadcasts" as may_send %}: does the signed-in user hold it?"""
    request = context.get("request")
    return bool(request) and can(request.user, capability)
