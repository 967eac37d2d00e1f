from panther_base_helpers import deep_get
from panther_okta_helpers import okta_alert_context


def rule(event):
    return event.get("eventType") == "user.account.report_suspicious_activity_by_enduser"


def title(event):
    return (
        f"A user [{deep_get(event, 'actor', 'alternateId')}] reported suspicious activity: "
        f"{deep_get(event, 'debugContext', 'debugData', 'suspiciousActivityEventType', default='')}"
    )


def alert_context(event):
    context = okta_alert_context(event)
    context["suspicious_activity"] = deep_get(event, "debugContext", "debugData", default={})
    return context
