from panther_base_helpers import deep_walk
from panther_okta_helpers import okta_alert_context


def rule(event):
    if event.get("eventType") != "user.authentication.sso":
        return False
    apps = deep_walk(event, "target", "displayName", default=[])
    apps = apps if isinstance(apps, list) else [apps]
    return any("aws" in str(app).lower() or "amazon" in str(app).lower() for app in apps)


def title(event):
    return f"{event.deep_get('actor', 'alternateId')} signed in to AWS through Okta"


def alert_context(event):
    return okta_alert_context(event)
