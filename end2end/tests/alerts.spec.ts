import { createHmac } from "node:crypto";
import { createServer, IncomingMessage, Server } from "node:http";
import { AddressInfo } from "node:net";
import { test, expect, hydrated, createSource, simulator, Org } from "./fixtures";
import { Page } from "@playwright/test";

// System alerts against the simulator (see global-setup.ts): the console polls every 3 s and one
// minute of the no-events alarm lasts one second. `globex` is only used here for token
// revocation and `initech` for the no-events alarm, so other journeys never see their faults.
const GLOBEX: Org = { subdomain: "globex", token: "globex-token" };
const INITECH: Org = { subdomain: "initech", token: "initech-token" };
const SECRET = "e2e-shared-secret-0123456789";

/** One webhook request as received. */
type Received = { headers: IncomingMessage["headers"]; body: string; json: any };

/** A webhook receiver on 127.0.0.1:0 that answers every request with `status`. */
async function receiver(status: number): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      let json: any = null;
      try {
        json = JSON.parse(body);
      } catch {}
      received.push({ headers: req.headers, body, json });
      res.writeHead(status, { "Content-Type": "text/plain" }).end(status < 300 ? "ok" : "nope");
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/gatehouse`,
    received,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Adds a destination through the form on /alerts/destinations. */
async function addDestination(page: Page, name: string, url: string, secret = ""): Promise<void> {
  await page.goto("/alerts/destinations");
  await hydrated(page);
  const form = page.getByRole("region", { name: "Add a destination" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("URL").fill(url);
  await form.getByLabel("Shared secret").fill(secret);
  await form.getByRole("button", { name: "Add destination" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Saved ${name}.` })).toBeVisible();
}

async function deleteDestination(page: Page, name: string): Promise<void> {
  await page.goto("/alerts/destinations");
  await hydrated(page);
  await page.getByRole("button", { name: `Delete ${name}` }).click();
  await page.getByRole("group", { name: `Confirm deleting ${name}` }).getByRole("button", { name: "Yes, delete" }).click();
  await expect(page.getByRole("button", { name: `Delete ${name}` })).toHaveCount(0);
}

/** The HMAC the receiver would compute from `X-Gatehouse-Signature: t=…,v1=…`. */
function signatureValid(request: Received): boolean {
  const header = String(request.headers["x-gatehouse-signature"] ?? "");
  const parts = Object.fromEntries(header.split(",").map((kv) => kv.split("=", 2)));
  const expected = createHmac("sha256", SECRET).update(`${parts.t}.${request.body}`).digest("hex");
  return parts.v1 === expected;
}

test.describe("system alerts", () => {
  // A failing webhook and refused server calls log "Failed to load resource" lines in the browser.
  test.use({ allowConsoleErrors: [/status of (404|422|502)/] });

  test("destinations check their fields and say in words what a test delivery did", async ({ page }) => {
    const failing = await receiver(500);
    try {
      await page.goto("/alerts/destinations");
      await hydrated(page);
      const form = page.getByRole("region", { name: "Add a destination" });
      await form.getByLabel("Name").fill("Bad hook");
      await form.getByLabel("URL").fill("hooks.example.com");
      await form.getByLabel("Shared secret").fill("short");
      await form.getByRole("button", { name: "Add destination" }).click();
      await expect(form.getByText("Start the URL with https:// (or http://).")).toBeVisible();
      await expect(form.getByText(/at least 16 characters/)).toBeVisible();
      await expect(form.getByLabel("URL")).toHaveAttribute("aria-invalid", "true");

      const name = `Failing hook ${Date.now()}`;
      await addDestination(page, name, failing.url);
      const row = page.getByRole("row").filter({ hasText: name });
      await row.getByRole("button", { name: `Send test to ${name}` }).click();
      await expect(row.getByRole("status")).toContainText("Not delivered: HTTP 500 from 127.0.0.1:");
      expect(failing.received).toHaveLength(1);
      expect(failing.received[0].json.change).toBe("test");
      await deleteDestination(page, name);
    } finally {
      await failing.close();
    }
  });

  test("a revoked token turns the source Failing with Okta's words within two polls, raises one critical alert, and a working token resolves it", async ({ page, request }) => {
    const good = await receiver(200);
    const failing = await receiver(500);
    const signed = `Signed hook ${Date.now()}`;
    const broken = `Broken hook ${Date.now()}`;
    await simulator(request, "/_sim/orgs/globex/tokens/restore");
    try {
      await addDestination(page, signed, good.url, SECRET);
      await addDestination(page, broken, failing.url);
      const { id, name } = await createSource(request, "Revoked", GLOBEX, 1440, []);

      await page.goto(`/sources/${id}`);
      await hydrated(page);
      const status = page.getByRole("tabpanel", { name: "Overview" }).getByLabel("Status");
      await expect(status).toContainText("Healthy");

      await simulator(request, "/_sim/orgs/globex/tokens/revoke");
      // Two polls are 6 s; the page refreshes every 2.5 s.
      await expect(status).toContainText("Failing", { timeout: 10_000 });
      await expect(status).toContainText("E0000011");

      // The Health tab names the failing check.
      await page.getByRole("tab", { name: "Health" }).click();
      const credentials = page.getByRole("listitem", { name: "Credentials accepted" });
      await expect(credentials).toContainText("Failing");
      await expect(credentials).toContainText("E0000011");

      // One critical alert, listed and detailed.
      await page.goto(`/alerts?source=${id}`);
      await hydrated(page);
      const rows = page.getByRole("table", { name: "Alerts" }).getByRole("row").filter({ hasText: name });
      await expect(rows).toHaveCount(1);
      await expect(rows).toContainText("Critical");
      await expect(rows).toContainText("Open");
      await rows.getByRole("link").first().click();
      await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
      await expect(page.getByRole("region", { name: "Context" })).toContainText("E0000011");

      // The signed destination got it (signature checked); the broken one's failures show.
      // (Only this source's: the org may hold sources from earlier runs that fail alike.)
      const about = (change: string) => good.received.filter((r) => r.json?.change === change && r.json?.source?.id === id);
      await expect.poll(() => about("opened").length, { timeout: 15_000 }).toBe(1);
      const opened = about("opened")[0];
      expect(opened.json.severity).toBe("CRITICAL");
      expect(opened.json.source.name).toBe(name);
      expect(signatureValid(opened), "X-Gatehouse-Signature verifies").toBe(true);
      const deliveries = page.getByRole("table", { name: "Deliveries" });
      await expect(deliveries.getByRole("row").filter({ hasText: signed })).toContainText("Delivered");
      await expect(deliveries.getByRole("row").filter({ hasText: broken })).toContainText("HTTP 500 from 127.0.0.1:");
      await page.goto("/alerts/destinations");
      await hydrated(page);
      await expect(page.getByRole("row").filter({ hasText: broken })).toContainText("HTTP 500 from 127.0.0.1:");

      // The admin issues a working token and replaces it in Gatehouse: Replace checks it against
      // Okta and polls at once (after a 401 the poller otherwise waits 5 minutes), and that
      // successful poll resolves the alert by itself.
      await simulator(request, "/_sim/orgs/globex/tokens/restore");
      await page.goto(`/sources/${id}?tab=settings`);
      await hydrated(page);
      const token = page.getByRole("tabpanel", { name: "Settings" }).getByRole("region", { name: "API token" });
      await token.getByLabel("New API token").fill(GLOBEX.token);
      await token.getByRole("button", { name: "Replace token" }).click();
      await expect(token.getByRole("status")).toContainText("Token replaced");
      await page.goto(`/alerts?source=${id}&state=all`);
      await hydrated(page);
      await expect(rows).toContainText("Resolved", { timeout: 15_000 });
      await expect.poll(() => about("resolved").length, { timeout: 15_000 }).toBe(1);
    } finally {
      await simulator(request, "/_sim/orgs/globex/tokens/restore");
      await deleteDestination(page, signed).catch(() => {});
      await deleteDestination(page, broken).catch(() => {});
      await good.close();
      await failing.close();
    }
  });

  test("the no-events alarm fires when the org goes quiet and recovers when events flow again", async ({ page, request }) => {
    test.setTimeout(120_000);
    await simulator(request, "/_sim/orgs/initech/production", { events_per_sec: 1 });
    try {
      // 15 alarm minutes: 15 s here.
      const { id, name } = await createSource(request, "Quiet", INITECH, 15, []);
      await page.goto(`/sources/${id}?tab=health`);
      await hydrated(page);
      const alarm = page.getByRole("region", { name: "No-events alarm" });
      await expect(alarm.getByLabel("State")).toHaveText("OK");
      await expect(alarm.getByLabel("Threshold")).toContainText("15 minutes without events");

      await simulator(request, "/_sim/orgs/initech/production", { events_per_sec: 0 });
      await expect(alarm.getByLabel("State")).toHaveText("Alarm", { timeout: 45_000 });
      await expect(page.getByRole("table", { name: "Alarm history" }).getByRole("row").nth(1)).toContainText("Alarm");
      const open = page.getByRole("table", { name: "Open alerts" });
      await expect(open).toContainText("Critical");

      // The dashboard flags it, and the alerts page lists it.
      await page.goto("/");
      await hydrated(page);
      await expect(page.getByRole("region", { name, exact: true }).getByLabel("No-events alarm", { exact: true })).toContainText("No events");
      await page.goto(`/alerts?source=${id}`);
      await hydrated(page);
      await expect(page.getByRole("table", { name: "Alerts" }).getByRole("row").filter({ hasText: name })).toContainText("Critical");

      await simulator(request, "/_sim/orgs/initech/production", { events_per_sec: 1 });
      await page.goto(`/sources/${id}?tab=health`);
      await hydrated(page);
      await expect(alarm.getByLabel("State")).toHaveText("OK", { timeout: 20_000 });
      await expect(page.getByText("No open alerts about this source.")).toBeVisible();
      await page.goto(`/alerts?source=${id}&state=resolved`);
      await hydrated(page);
      await expect(page.getByRole("table", { name: "Alerts" }).getByRole("row").filter({ hasText: name })).toContainText("Resolved");
    } finally {
      await simulator(request, "/_sim/orgs/initech/production", { events_per_sec: 1 });
    }
  });
});
