"""Gatehouse's panther_okta_helpers: `okta_alert_context(event)`, the fields an investigator
needs first. Same keys as Panther's and as Gatehouse's native rules (detect::okta_alert_context):
before normalization has filled p_any_ip_addresses, `ips` falls back to the raw IP fields."""

__all__ = ["okta_alert_context"]


def _ips(event):
    ips = event.get("p_any_ip_addresses")
    if ips is not None:
        return ips
    found = []
    client = event.get("client") or {}
    request = event.get("request") or {}
    candidates = [client.get("ipAddress")] if hasattr(client, "get") else []
    chain = request.get("ipChain") if hasattr(request, "get") else None
    for hop in chain or ():
        if hasattr(hop, "get"):
            candidates.append(hop.get("ip"))
    for ip in candidates:
        if isinstance(ip, str) and ip and ip != "null" and ip not in found:
            found.append(ip)
    return found


def okta_alert_context(event):
    """Common context for Okta alerts."""
    return {
        "event_type": event.get("eventtype", ""),
        "severity": event.get("severity", ""),
        "actor": event.get("actor", {}),
        "client": event.get("client", {}),
        "request": event.get("request", {}),
        "outcome": event.get("outcome", {}),
        "target": event.get("target", []),
        "debug_context": event.get("debugcontext", {}),
        "authentication_context": event.get("authenticationcontext", {}),
        "security_context": event.get("securitycontext", {}),
        "ips": _ips(event),
    }
