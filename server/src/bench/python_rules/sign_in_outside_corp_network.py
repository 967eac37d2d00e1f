from panther_base_helpers import deep_get, is_ip_in_network

CORP_NETWORKS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
ADMINS_PREFIX = "admin"


def rule(event):
    if event.get("eventType") != "user.session.start":
        return False
    if deep_get(event, "outcome", "result") != "SUCCESS":
        return False
    actor = deep_get(event, "actor", "alternateId", default="")
    if not actor.startswith(ADMINS_PREFIX):
        return False
    ip = deep_get(event, "client", "ipAddress")
    if not ip:
        return False
    try:
        return not is_ip_in_network(ip, CORP_NETWORKS)
    except ValueError:
        return False


def title(event):
    return (
        f"Administrator {deep_get(event, 'actor', 'alternateId')} signed in from "
        f"{deep_get(event, 'client', 'ipAddress')} outside the corporate network"
    )


def alert_context(event):
    return {
        "actor": deep_get(event, "actor", "alternateId"),
        "ip": deep_get(event, "client", "ipAddress"),
        "country": deep_get(event, "client", "geographicalContext", "country"),
    }
