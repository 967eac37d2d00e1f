from panther_base_helpers import deep_get
from panther_okta_helpers import okta_alert_context


def rule(event):
    return event.get("eventType") == "security.threat.detected"


def title(event):
    return (
        f"Okta ThreatInsight: {deep_get(event, 'outcome', 'reason', default='threat')} "
        f"from {deep_get(event, 'client', 'ipAddress', default='<unknown ip>')}"
    )


def severity(event):
    level = deep_get(event, "debugContext", "debugData", "threatSuspected", default="")
    return "HIGH" if str(level).lower() == "true" else "MEDIUM"


def dedup(event):
    return deep_get(event, "client", "ipAddress", default="<unknown ip>")


def alert_context(event):
    return okta_alert_context(event)
