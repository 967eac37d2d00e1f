//! Unit tests of the Python rules: event semantics, helpers, loading, evaluating, the time
//! limit and the YAML tests. One runtime is shared (one interpreter per process anyway).

use std::{sync::OnceLock, time::Duration};

use serde_json::{json, Value};

use super::*;
use crate::detect::{metadata::RuleMetadata, Severity};

fn runtime() -> &'static PythonRuntime {
    static RUNTIME: OnceLock<PythonRuntime> = OnceLock::new();
    RUNTIME.get_or_init(|| PythonRuntime::with_helpers(Vec::new()).expect("python starts"))
}

fn meta(id: &str) -> RuleMetadata {
    RuleMetadata::new(id, Severity::Medium)
}

fn load(source: &str) -> LoadedRuleHandle {
    runtime()
        .load_rule(meta("Test.Rule"), source)
        .expect("loads")
}

fn one(rule: &LoadedRuleHandle, event: Value) -> RuleOutcome {
    runtime()
        .evaluate(std::slice::from_ref(rule), &[event])
        .pop()
        .and_then(|mut row| row.pop())
        .expect("one outcome")
}

fn matched(outcome: RuleOutcome) -> (crate::detect::Match, Vec<String>) {
    match outcome {
        RuleOutcome::Matched { alert, warnings } => (alert, warnings),
        other => panic!("expected a match, got {other:?}"),
    }
}

fn error(outcome: RuleOutcome) -> String {
    match outcome {
        RuleOutcome::Error(message) => message,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn sample() -> Value {
    json!({
        "eventType": "user.session.start",
        "actor": {"alternateId": "ann@example.com", "displayName": "Ann"},
        "target": [
            {"type": "User", "alternateId": "bob@example.com"},
            {"type": "AppInstance", "alternateId": "Slack"},
        ],
        "client": {"ipAddress": "10.1.2.3"},
        "outcome": {"result": "SUCCESS", "reason": null},
    })
}

/// A rule whose `rule()` asserts Python expressions on the event; matches when all hold.
fn assert_rule(checks: &str) -> String {
    format!("def rule(event):\n{checks}\n    return True\n")
}

#[test]
fn event_keys_are_case_insensitive_at_every_level() {
    let rule = load(&assert_rule(
        r#"
    assert event["eventType"] == "user.session.start"
    assert event.get("EVENTTYPE") == "user.session.start"
    assert event["Actor"]["ALTERNATEID"] == "ann@example.com"
    assert event.deep_get("actor", "alternateid") == "ann@example.com"
    assert event.deep_get("actor", "missing", default="x") == "x"
    assert event.deep_get("outcome", "reason", default="none") == "none"
    assert event.get("missing") is None and "eventtype" in event
    assert event.deep_walk("target", "alternateId") == ["bob@example.com", "Slack"]
    assert event.deep_walk("target", "type", return_val="first") == "User"
    assert event.deep_walk("actor", "displayname") == "Ann"
    assert event["target"][1]["ALTERNATEID"] == "Slack"
    assert len(event["target"]) == 2 and event["target"] == event["target"]
    assert event.to_dict()["actor"]["displayName"] == "Ann""#,
    ));
    let (alert, warnings) = matched(one(&rule, sample()));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(alert.rule_id, "Test.Rule");
}

#[test]
fn the_okta_data_model_answers_udm_as_panther_does() {
    let rule = load(&assert_rule(
        r#"
    import panther_event_type_helpers as types
    assert event.udm("event_type") == types.SUCCESSFUL_LOGIN
    assert event.udm("actor_user") == "ann@example.com"
    assert event.udm("source_ip") == "10.1.2.3"
    assert event.udm("user_agent") is None
    assert event.udm("user_agent", default="?") == "?"
    assert event.udm("not_mapped") is None"#,
    ));
    let (_, warnings) = matched(one(&rule, sample()));
    assert!(warnings.is_empty(), "{warnings:?}");

    let mut mfa = sample();
    mfa["eventType"] = json!("system.mfa.factor.deactivate");
    mfa["actor"]["alternateId"] = json!("unknown");
    let rule = load(&assert_rule(
        r#"
    assert event.udm("event_type") == "admin_mfa_disabled"
    assert event.udm("actor_user") == "Ann""#,
    ));
    matched(one(&rule, mfa));
}

#[test]
fn events_and_their_parts_are_read_only() {
    for mutation in [
        r#"event["eventType"] = "x""#,
        r#"event["actor"]["alternateId"] = "x""#,
        r#"event["target"][0] = {}"#,
        r#"event["target"].append({})"#,
        r#"del event["actor"]"#,
    ] {
        let rule = load(&format!(
            "def rule(event):\n    {mutation}\n    return True\n"
        ));
        let message = error(one(&rule, sample()));
        assert!(
            message.contains("Error") && message.contains("line 2"),
            "{mutation}: {message}"
        );
    }
}

#[test]
fn panther_helpers_are_importable() {
    let rule = load(
        r#"
from panther_base_helpers import deep_get, deep_walk, is_ip_in_network
from panther_okta_helpers import okta_alert_context

def rule(event):
    assert deep_get(event, "client", "ipAddress") == "10.1.2.3"
    assert deep_get({"a": {"b": None}}, "a", "b", default=7) == 7
    assert deep_walk({"a": [{"b": 1}, {"b": 2}, {"b": 1}]}, "a", "b") == [1, 2]
    assert deep_walk({"a": [{"b": []}]}, "a", "b", default="d") == "d"
    assert is_ip_in_network(deep_get(event, "client", "ipAddress"), ["10.0.0.0/8"])
    assert not is_ip_in_network("192.0.2.1", ["10.0.0.0/8", "172.16.0.0/12"])
    return True

def alert_context(event):
    return okta_alert_context(event)
"#,
    );
    let (alert, warnings) = matched(one(&rule, sample()));
    assert!(warnings.is_empty(), "{warnings:?}");
    // The Python helper gives the native context's shape, raw-IP fallback included.
    let native = crate::detect::okta_alert_context(&sample());
    assert_eq!(alert.context["actor"], native["actor"]);
    assert_eq!(alert.context["ips"], json!(["10.1.2.3"]));
    assert_eq!(alert.context["event_type"], "user.session.start");
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&alert.context), keys(&native));
}

#[test]
fn optional_functions_shape_the_match() {
    let rule = load(
        r#"
def rule(event):
    return event.get("eventType") == "user.session.start"

def title(event):
    return f"Sign-in by {event.deep_get('actor', 'alternateId')}"

def dedup(event):
    return "d" * 1500

def severity(event):
    return "critical"

def alert_context(event):
    return {"actor": event["actor"], "n": 1}

def destinations(event):
    return ["slack"]

def runbook(event):
    return "Call Ann."
"#,
    );
    let (alert, warnings) = matched(one(&rule, sample()));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(alert.title, "Sign-in by ann@example.com");
    assert_eq!(alert.dedup.len(), 1000);
    assert_eq!(alert.severity, Severity::Critical);
    assert_eq!(
        alert.context,
        json!({"actor": {"alternateId": "ann@example.com", "displayName": "Ann"}, "n": 1})
    );
    assert_eq!(alert.destinations, Some(vec!["slack".to_string()]));
    assert_eq!(alert.runbook, "Call Ann.");
    assert_eq!((alert.threshold, alert.dedup_period_minutes), (1, 60));
    assert!(!alert.signal);

    let mut other = sample();
    other["eventType"] = json!("user.session.end");
    assert_eq!(one(&rule, other), RuleOutcome::NoMatch);
}

#[test]
fn defaults_follow_panther() {
    let mut metadata = meta("Test.Defaults");
    metadata.display_name = Some("Default title".into());
    metadata.runbook = "From YAML".into();
    let rule = runtime()
        .load_rule(metadata, "def rule(event):\n    return True\n")
        .unwrap();
    let (alert, _) = matched(one(&rule, sample()));
    assert_eq!(alert.title, "Default title");
    assert_eq!(alert.dedup, "Test.Defaults");
    assert_eq!(alert.severity, Severity::Medium);
    assert_eq!(alert.runbook, "From YAML");
    assert_eq!(alert.destinations, None);
    // No alert_context(): the native Okta context.
    assert_eq!(alert.context, crate::detect::okta_alert_context(&sample()));

    let rule = load(
        "def rule(event):\n    return True\ndef title(event):\n    return 'T'\ndef severity(event):\n    return 'DEFAULT'\n",
    );
    let (alert, _) = matched(one(&rule, sample()));
    assert_eq!((alert.title.as_str(), alert.dedup.as_str()), ("T", "T"));
    assert_eq!(alert.severity, Severity::Medium);
}

#[test]
fn errors_name_the_exception_and_the_line() {
    let rule = load("def rule(event):\n    x = 1\n    return event['nope']\n");
    let message = error(one(&rule, sample()));
    assert!(message.starts_with("rule(): KeyError: 'nope'"), "{message}");
    assert!(
        message.contains("line 3 of Test.Rule.py, in rule"),
        "{message}"
    );

    let rule = load("def rule(event):\n    return 'yes'\n");
    assert_eq!(
        error(one(&rule, sample())),
        "rule() returned str, expected bool"
    );

    // Errors in optional functions keep the match, with defaults and a warning.
    let rule = load(
        "def rule(event):\n    return True\ndef title(event):\n    return 1 / 0\ndef severity(event):\n    return 'SEVERE'\n",
    );
    let (alert, warnings) = matched(one(&rule, sample()));
    assert_eq!(alert.title, "Test.Rule");
    assert_eq!(alert.severity, Severity::Medium);
    assert!(
        warnings[0].contains("title(): ZeroDivisionError"),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("line 4"), "{warnings:?}");
    assert!(warnings[1].contains("'SEVERE'"), "{warnings:?}");
}

#[test]
fn load_errors_say_what_and_where() {
    let load_error = |source: &str| {
        runtime()
            .load_rule(meta("Test.Bad"), source)
            .expect_err("fails")
            .to_string()
    };
    let syntax = load_error("def rule(event):\n    return (\n\n");
    assert!(
        syntax.contains("syntax error on line 2 of Test.Bad.py"),
        "{syntax}"
    );
    assert!(load_error("def title(event):\n    return ''\n")
        .contains("defines no `def rule(event)` function"));
    let import = load_error("import no_such_module_here\ndef rule(e):\n    return True\n");
    assert!(import.contains("ModuleNotFoundError"), "{import}");
    assert!(import.contains("line 1"), "{import}");
}

#[test]
fn a_runaway_rule_times_out_and_the_runtime_carries_on() {
    let runtime = PythonRuntime::new(Vec::new(), Duration::from_millis(300)).unwrap();
    let spin = runtime
        .load_rule(
            meta("Test.Spin"),
            "def rule(event):\n    while True:\n        pass\n",
        )
        .unwrap();
    // `except Exception:` does not catch the timeout (a bare `except:` would: rules are
    // trusted code, the limit is a guard against mistakes).
    let stubborn = runtime
        .load_rule(
            meta("Test.Stubborn"),
            "def rule(event):\n    try:\n        while True: pass\n    except Exception:\n        return True\n",
        )
        .unwrap();
    let fine = runtime
        .load_rule(meta("Test.Fine"), "def rule(event):\n    return True\n")
        .unwrap();
    let started = std::time::Instant::now();
    let outcomes = runtime.evaluate(&[spin, fine.clone(), stubborn, fine], &[sample()]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(error(outcomes[0][0].clone()), "timed out after 300 ms");
    assert!(matches!(outcomes[0][1], RuleOutcome::Matched { .. }));
    assert_eq!(error(outcomes[0][2].clone()), "timed out after 300 ms");
    assert!(matches!(outcomes[0][3], RuleOutcome::Matched { .. }));

    let slow_load = runtime
        .load_rule(meta("Test.SlowLoad"), "while True:\n    pass\n")
        .expect_err("times out");
    assert!(slow_load.to_string().contains("timed out after 300 ms"));
}

#[test]
fn the_default_limit_is_one_second() {
    let runtime = PythonRuntime::with_helpers(Vec::new()).unwrap();
    assert_eq!(runtime.time_limit(), Duration::from_secs(1));
    let spin = runtime
        .load_rule(
            meta("Test.Spin1s"),
            "def rule(event):\n    while True: pass\n",
        )
        .unwrap();
    let outcome = runtime.evaluate(&[spin], &[sample()]).remove(0).remove(0);
    assert_eq!(error(outcome), "timed out after 1000 ms");
}

#[test]
fn yaml_tests_fail_on_wrong_results_and_on_errors() {
    let metadata = RuleMetadata::parse(
        r#"
AnalysisType: rule
Filename: t.py
RuleID: Test.Yaml
Severity: Low
Tests:
  - {Name: matches, ExpectedResult: true, Log: {eventType: a}}
  - {Name: no match, ExpectedResult: false, Log: {eventType: b}}
  - {Name: wrong, ExpectedResult: true, Log: {eventType: b}}
  - {Name: title breaks, ExpectedResult: true, Log: {eventType: a, boom: true}}
"#,
    )
    .unwrap();
    let rule = runtime()
        .load_rule(
            metadata,
            "def rule(event):\n    return event['eventType'] == 'a'\ndef title(event):\n    if event.get('boom'):\n        raise ValueError('no title')\n    return 'ok'\n",
        )
        .unwrap();
    let results = runtime().run_tests(&rule);
    let passed: Vec<bool> = results.iter().map(|r| r.passed).collect();
    assert_eq!(passed, [true, true, false, false]);
    assert_eq!(
        results[2].reason.as_deref(),
        Some("expected a match, the rule did not match")
    );
    assert!(results[3]
        .reason
        .as_deref()
        .unwrap()
        .contains("title(): ValueError: no title"));
}

#[test]
fn test_rule_gives_a_verdict_for_the_test_panel() {
    let verdict = runtime().test_rule(
        "def rule(event):\n    return True\ndef title(event):\n    return 'Hi'\n",
        meta("Test.Panel"),
        &sample(),
    );
    assert!(verdict.matched);
    assert_eq!(verdict.title.as_deref(), Some("Hi"));
    assert_eq!(verdict.severity, Some(Severity::Medium));
    assert!(verdict.error.is_none());

    let verdict = runtime().test_rule("def rule(:\n", meta("Test.Panel"), &sample());
    assert!(!verdict.matched);
    assert!(verdict.error.unwrap().contains("syntax error on line 1"));
}

#[test]
fn helper_directories_are_importable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme_helpers_unit.py"),
        "ADMINS = {'ann@example.com'}\n",
    )
    .unwrap();
    let runtime = PythonRuntime::with_helpers(vec![dir.path().to_owned()]).unwrap();
    let rule = runtime
        .load_rule(
            meta("Test.Helpers"),
            "from acme_helpers_unit import ADMINS\ndef rule(event):\n    return event.deep_get('actor', 'alternateId') in ADMINS\n",
        )
        .unwrap();
    let outcome = runtime.evaluate(&[rule], &[sample()]).remove(0).remove(0);
    assert!(matches!(outcome, RuleOutcome::Matched { .. }));
}

#[test]
fn json_values_arrive_as_python_values() {
    let rule = load(&assert_rule(
        r#"
    assert event["i"] == -3 and isinstance(event["i"], int)
    assert event["big"] == 18446744073709551615
    assert event["f"] == 0.5 and event["t"] is True and event["n"] is None
    assert event["s"] == "é ✓" and list(event["a"]) == [1, "x", None]
    assert event["o"] == {"k": [1]}"#,
    ));
    let event = json!({
        "i": -3, "big": u64::MAX, "f": 0.5, "t": true, "n": null,
        "s": "é ✓", "a": [1, "x", null], "o": {"k": [1]},
    });
    let (_, warnings) = matched(one(&rule, event));
    assert!(warnings.is_empty());
}

#[test]
fn evaluate_json_takes_stored_text() {
    let rule = load("def rule(event):\n    return event['eventType'] == 'user.session.start'\n");
    let texts = vec![
        sample().to_string(),
        json!({"eventType": "other"}).to_string(),
        "not json".to_string(),
    ];
    let outcomes = runtime().evaluate_json(&[rule], texts);
    let (alert, _) = matched(outcomes[0][0].clone());
    // No alert_context(): the native context, from the text parsed on demand.
    assert_eq!(alert.context, crate::detect::okta_alert_context(&sample()));
    assert_eq!(outcomes[1][0], RuleOutcome::NoMatch);
    assert!(error(outcomes[2][0].clone()).starts_with("the event could not be read"));
}
