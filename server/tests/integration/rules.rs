//! Python detection rules through the `gatehouse` binary: `test-rules` over the fixture rules
//! (passing and failing directories) and `detect` over NDJSON events on stdin.

use std::{
    io::Write,
    path::PathBuf,
    process::{Command, Output, Stdio},
};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn gatehouse(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("GATEHOUSE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gatehouse starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn test_rules_passes_the_fixture_rules() {
    let rules = fixture("rules");
    let helpers = fixture("rule_helpers");
    let out = gatehouse(
        &[
            "test-rules",
            rules.to_str().unwrap(),
            "--helpers",
            helpers.to_str().unwrap(),
        ],
        "",
    );
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(
        stdout.contains("PASS Custom.Okta.AdminRoleAssigned: Super administrator granted"),
        "{stdout}"
    );
    assert!(stdout.contains(
        "PASS Custom.Okta.ServiceAccountOutsideCorpNetwork: Service account from the office"
    ));
    assert!(
        stdout.contains("9 tests: 9 passed, 0 failed; 3 rules loaded, 0 failed to load"),
        "{stdout}"
    );
    assert!(!stdout.contains("FAIL"), "{stdout}");

    // Without the helper directory, the rule that imports `corp_networks` does not load.
    let out = gatehouse(&["test-rules", rules.to_str().unwrap()], "");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL Custom.Okta.ServiceAccountOutsideCorpNetwork:")
            && stdout.contains("ModuleNotFoundError"),
        "{stdout}"
    );
}

#[test]
fn test_rules_reports_failures_and_exits_1() {
    let out = gatehouse(
        &["test-rules", fixture("rules_failing").to_str().unwrap()],
        "",
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL Fixture.BrokenSyntax: could not be loaded: syntax error on line 1 of broken_syntax.py"),
        "{stdout}"
    );
    assert!(
        stdout.contains("PASS Fixture.FailingTests: passes"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL Fixture.FailingTests: expects a match that never comes (expected a match, the rule did not match)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL Fixture.FailingTests: title raises (title(): KeyError: 'actor' (line 6 of failing_test.py, in title))"),
        "{stdout}"
    );
    // The data model YAML is skipped, not an error.
    assert!(!stdout.contains("NotARule"), "{stdout}");
    assert!(
        stdout.contains("3 tests: 1 passed, 2 failed; 1 rules loaded, 1 failed to load"),
        "{stdout}"
    );
}

fn raw_event(uuid: &str, event_type: &str, actor: &str, ip: &str) -> Value {
    json!({
        "uuid": uuid,
        "published": "2026-01-01T00:00:00.000Z",
        "eventType": event_type,
        "version": "0",
        "severity": "INFO",
        "displayMessage": "fixture",
        "actor": {"id": "00u1", "type": "User", "alternateId": actor, "displayName": "Someone"},
        "client": {"ipAddress": ip},
        "outcome": {"result": "SUCCESS"},
        "target": [{"id": "tok1", "type": "Token", "displayName": "ci-token"}],
    })
}

fn matches(out: &Output) -> Vec<Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON"))
        .collect()
}

#[test]
fn detect_runs_builtin_and_python_rules_over_stdin() {
    let rules = fixture("rules");
    let helpers = fixture("rule_helpers");
    let input = format!(
        "{}\nnot json at all\n{}\n\n{}\n",
        raw_event(
            "ev-token",
            "system.api_token.create",
            "ann@example.com",
            "198.51.100.7"
        ),
        raw_event(
            "ev-svc",
            "user.session.start",
            "svc-backup@example.com",
            "203.0.113.9"
        ),
        raw_event(
            "ev-quiet",
            "user.session.start",
            "svc-backup@example.com",
            "10.1.1.1"
        ),
    );
    let args = [
        "detect",
        "--rules",
        rules.to_str().unwrap(),
        "--helpers",
        helpers.to_str().unwrap(),
    ];
    let out = gatehouse(&args, &input);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("line 2: not JSON"), "{stderr}");

    let found = matches(&out);
    let ids: Vec<(&str, &str)> = found
        .iter()
        .map(|m| (m["rule_id"].as_str().unwrap(), m["uuid"].as_str().unwrap()))
        .collect();
    // The built-in pack and the Python version of the same rule both fire.
    assert!(ids.contains(&("Okta.APIKeyCreated", "ev-token")), "{ids:?}");
    assert!(
        ids.contains(&("Custom.Okta.APIKeyCreated", "ev-token")),
        "{ids:?}"
    );
    assert!(
        ids.contains(&("Custom.Okta.ServiceAccountOutsideCorpNetwork", "ev-svc")),
        "{ids:?}"
    );
    // The office sign-in only meets the built-in Okta.Login.Success signal.
    assert!(
        !ids.iter()
            .any(|(id, uuid)| id.starts_with("Custom.") && *uuid == "ev-quiet"),
        "{ids:?}"
    );
    let signal = found
        .iter()
        .find(|m| m["rule_id"] == "Okta.Login.Success")
        .expect("the built-in signal");
    assert_eq!(signal["signal"], true);

    let token = found
        .iter()
        .find(|m| m["rule_id"] == "Custom.Okta.APIKeyCreated")
        .unwrap();
    assert_eq!(
        token["title"],
        "ann@example.com created API token [ci-token]"
    );
    assert_eq!(token["dedup"], "ann@example.com");
    assert_eq!(token["severity"], "MEDIUM");
    assert_eq!(token["signal"], false);
    // Raw events were normalized first: the context's IPs come from p_any_ip_addresses.
    assert_eq!(token["context"]["ips"], json!(["198.51.100.7"]));
    let svc = found
        .iter()
        .find(|m| m["rule_id"] == "Custom.Okta.ServiceAccountOutsideCorpNetwork")
        .unwrap();
    assert_eq!(svc["severity"], "HIGH");
    assert_eq!(
        svc["context"],
        json!({"actor": "svc-backup@example.com", "ip": "203.0.113.9", "geo": {}})
    );

    // Python rules only, clean input: exit code 0.
    let mut only_python = args.to_vec();
    only_python.push("--no-builtin");
    let out = gatehouse(
        &only_python,
        &raw_event(
            "ev-token",
            "system.api_token.create",
            "ann@example.com",
            "198.51.100.7",
        )
        .to_string(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let ids: Vec<Value> = matches(&out).iter().map(|m| m["rule_id"].clone()).collect();
    assert_eq!(ids, [json!("Custom.Okta.APIKeyCreated")]);
}

#[test]
fn detect_refuses_rules_that_do_not_load() {
    let out = gatehouse(
        &[
            "detect",
            "--rules",
            fixture("rules_failing").to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Fixture.BrokenSyntax"));
}
