from panther_base_helpers import deep_get
from panther_okta_helpers import okta_alert_context


def rule(event):
    return event.get("eventType") in ("user.account.lock", "user.account.lock.limit")


def title(event):
    return (
        f"{deep_get(event, 'actor', 'alternateId', default='<id-not-found>')} "
        f"was locked out: {deep_get(event, 'outcome', 'reason', default='no reason given')}"
    )


def dedup(event):
    return deep_get(event, "actor", "alternateId", default="<id-not-found>")


def alert_context(event):
    return okta_alert_context(event)
