import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// Starts the Okta simulator and the release build of the console, both on port 0, with a fresh
// SQLite file, waits for their "listening" lines, and hands the URLs to the tests
// (GATEHOUSE_URL, GATEHOUSE_SIM_URL). The returned function stops both and removes the
// temporary directory.
//
// The simulator runs as its own process (`gatehouse simulate`) so journeys can drive it through
// its /_sim admin endpoints. Its orgs, all at simulator.localhost, 1 event/s, 500 backlog events:
//   acme:demo-token       shared by most journeys (never revoked or stopped)
//   globex:globex-token   the token-revocation journey
//   initech:initech-token the no-events alarm journey (its production is switched off and on)
// The console polls every 3 s, and one minute of the no-events alarm lasts one second, so the
// 15-minute minimum threshold elapses in 15 s.
export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = resolve(__dirname, "..");
  const binary = join(root, "target/release/gatehouse");
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
  const env = { ...process.env, GATEHOUSE_LOG: "info" };
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    for (const child of children.reverse()) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const simulator = spawn(
      binary,
      [
        "simulate",
        "--addr", "127.0.0.1:0",
        "--org", "acme:demo-token",
        "--org", "globex:globex-token",
        "--org", "initech:initech-token",
        // Many sources share acme during a run; keep them clear of its rate limit.
        "--logs-rate-limit", "1200",
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], env },
    );
    children.push(simulator);
    const simUrl = await listeningUrl(simulator, /okta-simulator listening on (http:\/\/\S+)/, 30_000);
    const server = spawn(
      binary,
      [
        "--addr", "127.0.0.1:0",
        "--database-url", join(dir, "gatehouse.db"),
        "--secret-key-file", join(dir, "secret.key"),
        "--site-root", join(root, "target/site"),
        "--simulator-upstream", new URL(simUrl).host,
        "--poll-interval-secs", "3",
        "--request-timeout-secs", "2",
        "--alarm-minute-ms", "1000",
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], env },
    );
    children.push(server);
    const url = await listeningUrl(server, /gatehouse listening on (http:\/\/\S+)/, 30_000);
    process.env.GATEHOUSE_URL = url;
    process.env.GATEHOUSE_SIM_URL = simUrl;
    process.env.GATEHOUSE_E2E_DIR = dir;
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

function listeningUrl(child: ChildProcess, line: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${child.spawnfile} did not report its address within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = stdout.match(line);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (process.env.GATEHOUSE_E2E_LOG) process.stderr.write(chunk);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${child.spawnfile} exited with ${code} before listening\n${stderr}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.on("exit", () => {
      clearTimeout(force);
      done();
    });
    child.kill("SIGTERM");
  });
}
