import { spawn, spawnSync, ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

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
//
// Sign-in: before the console starts, `gatehouse users add` creates the admin `e2e-admin` with a
// random password (stdin) in the same database, so no first-run setup code is ever logged; then
// one login through /api/login writes the session cookie to STORAGE_STATE, which
// playwright.config.ts gives every test. The console runs without --public-url: it accepts the
// origin its own Host header names (http://127.0.0.1:<port>), see server/src/web/auth.rs.
//
// Log scan: the console's stdout and stderr go to a file; the teardown fails the run if it holds
// any API token of the orgs above, the admin's password or any session cookie value.
export const STORAGE_STATE = join(__dirname, ".auth", "admin.json");
export const ADMIN_USERNAME = "e2e-admin";
const SECRETS_NEVER_LOGGED = ["demo-token", "globex-token", "initech-token"];

export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = resolve(__dirname, "..");
  const binary = join(root, "target/release/gatehouse");
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
  const env = { ...process.env, GATEHOUSE_LOG: "info" };
  const children: ChildProcess[] = [];
  const serverLog = join(dir, "server.log");
  const password = `e2e ${randomBytes(12).toString("hex")}`;
  const cookies: string[] = [];
  const stopAll = async () => {
    for (const child of children.reverse()) await stop(child);
    try {
      scanLog(serverLog, [...SECRETS_NEVER_LOGGED, password, ...cookies]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(STORAGE_STATE, { force: true });
    }
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
    const database = ["--database-url", join(dir, "gatehouse.db"), "--secret-key-file", join(dir, "secret.key")];
    const added = spawnSync(binary, ["users", "add", "--username", ADMIN_USERNAME, ...database], {
      cwd: root,
      env,
      input: `${password}\n`,
      encoding: "utf8",
    });
    if (added.status !== 0) throw new Error(`gatehouse users add failed: ${added.stderr}`);
    const server = spawn(
      binary,
      [
        "--addr", "127.0.0.1:0",
        ...database,
        "--site-root", join(root, "target/site"),
        "--simulator-upstream", new URL(simUrl).host,
        "--poll-interval-secs", "3",
        "--request-timeout-secs", "2",
        "--alarm-minute-ms", "1000",
        "--allow-private-webhooks", // the webhook receivers of alerts.spec.ts listen on loopback
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], env },
    );
    children.push(server);
    const log = createWriteStream(serverLog);
    server.stdout!.on("data", (chunk: Buffer) => log.write(chunk));
    server.stderr!.on("data", (chunk: Buffer) => log.write(chunk));
    const url = await listeningUrl(server, /gatehouse listening on (http:\/\/\S+)/, 30_000);
    process.env.GATEHOUSE_URL = url;
    process.env.GATEHOUSE_SIM_URL = simUrl;
    process.env.GATEHOUSE_E2E_DIR = dir;
    process.env.GATEHOUSE_E2E_PASSWORD = password;
    process.env.GATEHOUSE_E2E_LOG_FILE = serverLog;
    const token = await login(url, password);
    cookies.push(token);
    mkdirSync(dirname(STORAGE_STATE), { recursive: true });
    const host = new URL(url).hostname;
    writeFileSync(
      STORAGE_STATE,
      JSON.stringify({
        cookies: [
          {
            name: "gatehouse_session",
            value: token,
            domain: host,
            path: "/",
            expires: -1,
            httpOnly: true,
            secure: false,
            sameSite: "Strict",
          },
        ],
        origins: [],
      }),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

/** Signs the admin in through the console's own server function; the session cookie's value. */
async function login(url: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/login`, {
    method: "POST",
    headers: { Origin: url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: ADMIN_USERNAME, password }).toString(),
  });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.get("set-cookie") ?? "";
  const match = cookie.match(/gatehouse_session=([^;]+)/);
  if (!match) throw new Error(`login set no session cookie: ${cookie}`);
  return match[1];
}

/** Fails when the console's log holds any of `secrets`, any session cookie value, or a setup code. */
function scanLog(path: string, secrets: string[]): void {
  const text = readFileSync(path, "utf8");
  if (!text.includes("gatehouse listening on")) throw new Error(`the console's log was not captured (${path})`);
  const leaked = secrets.filter((secret) => secret && text.includes(secret));
  if (/gatehouse_session=[^;\s]/.test(text)) leaked.push("a gatehouse_session cookie");
  if (text.includes("first-run setup code")) leaked.push("a first-run setup code (the admin existed before start)");
  if (leaked.length > 0) {
    throw new Error(`the console's log leaked: ${leaked.map((s) => (s.length > 12 ? `${s.slice(0, 4)}…` : s)).join(", ")}`);
  }
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
