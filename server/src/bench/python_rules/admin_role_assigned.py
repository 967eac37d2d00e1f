from panther_base_helpers import deep_get
from panther_okta_helpers import okta_alert_context


def rule(event):
    return (
        event.get("eventType") == "user.account.privilege.grant"
        and deep_get(event, "outcome", "result") == "SUCCESS"
        and "administrator"
        in deep_get(event, "debugContext", "debugData", "privilegeGranted", default="").lower()
    )


def title(event):
    target = event.get("target", [{}])[0]
    return (
        f"{deep_get(event, 'actor', 'displayName')} <{deep_get(event, 'actor', 'alternateId')}> "
        f"granted [{deep_get(event, 'debugContext', 'debugData', 'privilegeGranted')}] "
        f"privileges to {target.get('displayName')} <{target.get('alternateId')}>"
    )


def severity(event):
    privilege = deep_get(event, "debugContext", "debugData", "privilegeGranted", default="")
    return "HIGH" if "Super administrator" in privilege else "INFO"


def alert_context(event):
    return okta_alert_context(event)
