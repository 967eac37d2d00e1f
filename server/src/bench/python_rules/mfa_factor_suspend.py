from panther_okta_helpers import okta_alert_context

EVENTS = {"user.mfa.factor.suspend", "user.mfa.factor.reset_all", "user.mfa.factor.deactivate"}


def rule(event):
    return event.get("eventType") in EVENTS and event.deep_get("outcome", "result") == "SUCCESS"


def title(event):
    return (
        f"Okta: MFA factor change [{event.get('eventType')}] for "
        f"{event.deep_walk('target', 'alternateId', return_val='first', default='<unknown>')} "
        f"by {event.deep_get('actor', 'alternateId')}"
    )


def severity(event):
    return "MEDIUM" if event.get("eventType") == "user.mfa.factor.reset_all" else "LOW"


def alert_context(event):
    return okta_alert_context(event)
