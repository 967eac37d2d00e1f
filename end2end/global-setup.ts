import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// Starts the release build of the server on port 0 with a fresh SQLite file and the built-in
// Okta simulator (also on port 0), waits for its "listening" line, and hands the URL to the
// tests. The returned function stops it and removes the temporary directory.
export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = resolve(__dirname, "..");
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
  const server = spawn(
    join(root, "target/release/gatehouse"),
    [
      "--addr", "127.0.0.1:0",
      "--database-url", join(dir, "gatehouse.db"),
      "--secret-key-file", join(dir, "secret.key"),
      "--site-root", join(root, "target/site"),
      "--simulator", "127.0.0.1:0",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GATEHOUSE_LOG: "info" } },
  );
  const url = await listeningUrl(server, 30_000);
  process.env.GATEHOUSE_URL = url;
  process.env.GATEHOUSE_E2E_DIR = dir;

  return async () => {
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  };
}

function listeningUrl(server: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      server.kill("SIGKILL");
      reject(new Error(`server did not report its address within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    server.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = stdout.match(/gatehouse listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]);
      }
    });
    server.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      if (process.env.GATEHOUSE_E2E_LOG) process.stderr.write(chunk);
    });
    server.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\n${stderr}`));
    });
  });
}

function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => server.kill("SIGKILL"), 5_000);
    server.on("exit", () => {
      clearTimeout(force);
      done();
    });
    server.kill("SIGTERM");
  });
}
