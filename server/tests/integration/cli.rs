//! The `gatehouse` binary itself: normalize, sources, export, and a server killed with SIGKILL
//! in the middle of a page and started again.

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use gatehouse::simulator::Fault;
use serde_json::json;

use crate::harness::{quiet_org, wait_for, Harness};

const BIN: &str = env!("CARGO_BIN_EXE_gatehouse");

fn gatehouse(dir: &Path, sim: std::net::SocketAddr) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--database-url")
        .arg(dir.join("cli.db"))
        .arg("--secret-key-file")
        .arg(dir.join("cli.key"))
        .arg("--simulator-upstream")
        .arg(sim.to_string())
        .env_remove("GATEHOUSE_OKTA_TOKEN")
        .env("GATEHOUSE_LOG", "warn");
    cmd
}

#[test]
fn normalize_writes_rows_and_reports_failures_with_exit_code_2() {
    let input = concat!(
        r#"{"uuid":"u1","published":"2026-01-01T00:00:00Z","eventType":"user.session.start","version":0,"severity":"INFO","client":{"ipAddress":"198.51.100.7"}}"#,
        "\n",
        "this is not json\n",
        r#"{"uuid":"u2","published":"2026-01-01T00:00:01Z","eventType":"user.session.end","version":"0","severity":"INFO"}"#,
        "\n",
    );
    let mut child = Command::new(BIN)
        .args([
            "normalize",
            "--source-id",
            "7",
            "--source-label",
            "cli-test",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["p_log_type"], "Okta.SystemLog");
    assert_eq!(rows[0]["p_source_id"], "7");
    assert_eq!(rows[0]["version"], "0");
    assert_eq!(rows[0]["p_any_ip_addresses"], json!(["198.51.100.7"]));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("normalized 2 rows, 1 failures"), "{stderr}");

    // All good: exit 0. A JSON array (an Okta page) works too.
    let mut child = Command::new(BIN)
        .arg("normalize")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"[{"uuid":"u3","published":"2026-01-01T00:00:00Z","eventType":"x","version":"0","severity":"WARN"}]"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
}

// Multi-threaded: the test blocks on the child process while the simulator keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_are_managed_from_the_command_line_and_export_writes_rows() {
    let h = Harness::new(vec![quiet_org("acme", "cli-token", 0)]).await;
    let dir = h.dir.path();
    let sim = h.running.addr;

    // Wrong token: refused with Okta's words, nothing saved, exit 1.
    let out = add_acme(dir, sim)
        .env("GATEHOUSE_OKTA_TOKEN", "nope")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0000011"));

    let mut add = add_acme(dir, sim)
        .arg("--token-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"cli-token\n").unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        "added source 1"
    );

    let list = gatehouse(dir, sim)
        .args(["sources", "list"])
        .output()
        .unwrap();
    let text = String::from_utf8(list.stdout).unwrap();
    assert!(
        text.contains("acme.simulator.localhost") && text.contains("…oken"),
        "{text}"
    );
    assert!(!text.contains("cli-token"), "the token is never printed");

    let export = gatehouse(dir, sim)
        .args(["export", "--source", "1"])
        .output()
        .unwrap();
    assert!(export.status.success());
    assert_eq!(export.stdout.len(), 0, "nothing polled yet");

    let removed = gatehouse(dir, sim)
        .args(["sources", "remove", "1"])
        .output()
        .unwrap();
    assert!(removed.status.success());
    let again = gatehouse(dir, sim)
        .args(["sources", "remove", "1"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("source 1 was not found"));
}

/// `gatehouse sources add` for the simulator's org `acme`; the token comes from the caller.
fn add_acme(dir: &Path, sim: std::net::SocketAddr) -> Command {
    let mut cmd = gatehouse(dir, sim);
    cmd.args([
        "sources",
        "add",
        "--name",
        "Acme",
        "--subdomain",
        "acme",
        "--domain",
        "simulator.localhost",
    ]);
    cmd
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(dir: &Path, sim: std::net::SocketAddr) -> Server {
    let mut child = gatehouse(dir, sim)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--poll-interval-secs",
            "2",
            "--request-timeout-secs",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("gatehouse listening on http://127.0.0.1:"),
        "{line}"
    );
    Server(child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_page_resumes_from_its_checkpoint_without_loss_or_duplicates() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 5_500)]).await;
    let dir = h.dir.path();
    let sim = h.running.addr;
    let out = add_acme(dir, sim)
        .env("GATEHOUSE_OKTA_TOKEN", "t1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = gatehouse::store::Store::open(dir.join("cli.db").to_str().unwrap())
        .await
        .unwrap();

    // Page 1 comes (a little slowly); page 2 hangs past the 1 s request timeout, and the server
    // is killed while it waits for it.
    for secs in [0.1, 30.0] {
        let fault: Fault =
            serde_json::from_value(json!({"kind": "hang", "count": 1, "secs": secs})).unwrap();
        h.org("acme").inject_fault(fault);
    }
    let server = start_server(dir, sim);
    wait_for("page 1 stored and page 2 requested", Duration::from_secs(20), || {
        let store = store.clone();
        let org = h.org("acme");
        async move { org.stats().total("logs") >= 2 && store.event_count(1).await.unwrap() >= 1_000 }
    })
    .await;
    drop(server); // SIGKILL
    let stored = store.event_count(1).await.unwrap();
    assert_eq!(stored, 1_000, "killed mid-backfill: only page 1 is stored");
    h.org("acme").clear_faults();

    let _server = start_server(dir, sim);
    wait_for(
        "every event after the restart",
        Duration::from_secs(30),
        || {
            let store = store.clone();
            async move { store.event_count(1).await.unwrap() == 5_500 }
        },
    )
    .await;
    let uuids = store.event_uuids(1).await.unwrap();
    let unique: std::collections::HashSet<_> = uuids.iter().collect();
    assert_eq!(unique.len(), uuids.len());
    let truth: std::collections::HashSet<String> = h.org("acme").truth().into_iter().collect();
    assert_eq!(
        unique
            .into_iter()
            .cloned()
            .collect::<std::collections::HashSet<_>>(),
        truth
    );
}
