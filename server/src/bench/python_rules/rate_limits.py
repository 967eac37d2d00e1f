from panther_okta_helpers import okta_alert_context

EVENTS = (
    "app.oauth2.client_id_rate_limit_warning",
    "application.integration.rate_limit_exceeded",
    "system.client.rate_limit.",
    "system.client.concurrency_rate_limit.",
    "system.operation.rate_limit.",
    "system.org.rate_limit.",
    "core.concurrency.org.limit.violation",
)


def rule(event):
    event_type = event.get("eventType", "")
    return any(event_type.startswith(prefix) for prefix in EVENTS)


def title(event):
    return (
        f"Okta rate limit event [{event.get('eventType')}] "
        f"({event.get('displayMessage', 'no message')})"
    )


def severity(event):
    return "HIGH" if "violation" in event.get("eventType", "") else "DEFAULT"


def alert_context(event):
    return okta_alert_context(event)
