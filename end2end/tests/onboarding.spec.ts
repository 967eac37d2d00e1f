import { Locator, Page } from "@playwright/test";
import { test, expect, hydrated, sameOrigin } from "./fixtures";

// The onboarding wizard at /sources/new against the built-in Okta simulator (org `acme`,
// token `demo-token`, domain `simulator.localhost`). Tests share one server, so every source
// gets a unique name.

const TOKEN = "demo-token";
const SHOTS = process.env.GATEHOUSE_SCREENSHOTS; // a directory, to look at each step

type SourceSummary = { id: number; name: string; events_total: number; setup_complete: boolean };

function uniqueName(prefix: string): string {
  return `${prefix} ${Date.now()}`;
}

/** Every source, as the console's own `list_sources` server function returns them. */
async function listSources(page: Page): Promise<SourceSummary[]> {
  const response = await page.request.post("/api/list_sources", { headers: sameOrigin() });
  expect(response.ok()).toBe(true);
  return response.json();
}

/** One source's details, as the wizard reads them (`get_source`). */
async function getSource(page: Page, id: string): Promise<any> {
  const response = await page.request.post("/api/get_source", { form: { id }, headers: sameOrigin() });
  expect(response.ok()).toBe(true);
  return response.json();
}

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true, animations: "disabled" });
}

function currentStep(page: Page): Locator {
  return page.getByRole("navigation", { name: "Setup steps" }).locator('[aria-current="step"]');
}

/** The form's fields, found by their labels. */
function fields(page: Page) {
  return {
    name: page.getByLabel("Name", { exact: true }),
    subdomain: page.getByLabel("Okta subdomain"),
    domain: page.getByLabel("Okta domain"),
    token: page.getByLabel("API token"),
  };
}

async function openWizard(page: Page, query = ""): Promise<void> {
  await page.goto(`/sources/new${query}`);
  await hydrated(page);
  await expect(currentStep(page)).toContainText("Configuration");
}

async function fillConfiguration(page: Page, name: string, subdomain: string, token: string): Promise<void> {
  const f = fields(page);
  await f.name.fill(name);
  await f.subdomain.fill(subdomain);
  await f.domain.selectOption("simulator.localhost");
  await f.token.fill(token);
}

/** Presses Tab until `target` has focus (at most `limit` times): keyboard-only navigation. */
async function tabTo(page: Page, target: Locator, limit = 15): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

test("a source set up against the simulator polls as soon as the wizard finishes", async ({ page }) => {
  const name = uniqueName("Acme prod");
  await openWizard(page);
  await expect(fields(page).domain).toHaveValue("okta.com");
  await fillConfiguration(page, name, "acme", TOKEN);
  await shot(page, "1-configuration");

  const started = Date.now();
  await page.getByRole("button", { name: "Setup" }).click();
  await expect(page).toHaveURL(/\/sources\/new\?source=\d+&step=enrichment$/);
  const id = new URL(page.url()).searchParams.get("source")!;
  await expect(currentStep(page)).toContainText("Enrichment");

  // Enrichment shows what the server saved for the new source (both off); a refresh period
  // shows only for a switched-on profile.
  const users = page.getByRole("switch", { name: "User Profiles" });
  const devices = page.getByRole("switch", { name: "Device Profiles" });
  await expect(users).not.toBeChecked();
  await expect(devices).not.toBeChecked();
  await expect(page.getByLabel("Device profile refresh (minutes)")).toHaveCount(0);
  await devices.check();
  await expect(page.getByLabel("Device profile refresh (minutes)")).toHaveValue("60");
  await shot(page, "2-enrichment");
  await page.getByRole("button", { name: "Next" }).click();

  // Success: connected, both detection packs on, the no-events alarm on for 24 hours.
  await expect(page).toHaveURL(new RegExp(`/sources/new\\?source=${id}&step=success$`));
  await expect(currentStep(page)).toContainText("Success");
  await expect(page.getByRole("heading", { name: `${name} is connected` })).toBeVisible();
  await expect(page.getByRole("switch", { name: "Okta detections" })).toBeChecked();
  await expect(page.getByRole("switch", { name: "Custom rules" })).toBeChecked();
  await expect(page.getByRole("switch", { name: "Trigger an alert when no events are processed" })).toBeChecked();
  await expect(page.getByLabel("Timeframe", { exact: true })).toHaveValue("24");
  await expect(page.getByLabel("Timeframe unit")).toHaveValue("hours");
  // The first poll's reach: 24 hours by default, up to Okta's 90 days.
  const history = page.getByLabel("Read back on the first poll");
  await expect(history).toHaveValue("24");
  await history.selectOption({ label: "7 days" });
  await expect(page.getByRole("region", { name: `${name} is connected` })).toContainText("reads the last 7 days");
  await shot(page, "3-success");
  await page.getByRole("button", { name: "Finish" }).click();

  await expect(page).toHaveURL(new RegExp(`/sources/${id}$`));
  const landed = Date.now() - started;
  await hydrated(page);
  await shot(page, "4-source-page");
  await expect
    .poll(async () => (await listSources(page)).find((s) => s.name === name)?.events_total ?? 0, { timeout: 10_000 })
    .toBeGreaterThan(0);
  const polled = Date.now() - started;
  console.log(`Setup → source page: ${landed} ms; Setup → first events stored: ${polled} ms`);

  const detail = await getSource(page, id);
  expect(detail.summary.setup_complete).toBe(true);
  expect(detail.enrichment).toEqual({ user_profiles: false, user_refresh_minutes: 60, device_profiles: true, device_refresh_minutes: 60 });
  expect(detail.alarm).toEqual({ no_events_alarm: true, no_events_minutes: 24 * 60 });
  expect(detail.backfill_hours).toBe(7 * 24);

  // The wizard of a finished source only points to the source's own page.
  await page.goto(`/sources/new?source=${id}&step=success`);
  await hydrated(page);
  await expect(page.getByRole("region", { name: "Setup finished" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Finish" })).toHaveCount(0);
  await page.getByRole("link", { name: `Open ${name}` }).click();
  await expect(page).toHaveURL(new RegExp(`/sources/${id}$`));
});

test.describe("a refused token", () => {
  // The refused server call is logged by the browser as a failed resource (the server answers
  // server-function errors with 500).
  test.use({ allowConsoleErrors: [/Failed to load resource: the server responded with a status of 502/] });

  test("shows Okta's message in words and saves nothing", async ({ page }) => {
    const name = uniqueName("Wrong token");
    await openWizard(page);
    await fillConfiguration(page, name, "acme", "not-the-demo-token");
    // Hold the call until the pending state was seen.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/setup_source*", async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole("button", { name: "Setup" }).click();
    await expect(page.getByRole("button", { name: "Checking with Okta…" })).toBeDisabled();
    await expect(fields(page).token).toBeDisabled();
    await shot(page, "5-checking");
    release();

    await expect(page.getByRole("alert").filter({ hasText: "E0000011" })).toBeVisible();
    await expect(page.getByRole("alert").filter({ hasText: "E0000011" })).toContainText(/token/i);
    await shot(page, "5-wrong-token");
    await expect(page.getByRole("button", { name: "Setup" })).toBeEnabled();
    expect(new URL(page.url()).searchParams.get("source")).toBeNull();
    expect((await listSources(page)).map((s) => s.name)).not.toContain(name);
  });
});

test("a pasted URL or admin host as subdomain is refused with a one-click fix", async ({ page }) => {
  const setupCalls: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/setup_source")) setupCalls.push(r.url());
  });
  await openWizard(page);
  const f = fields(page);
  await fillConfiguration(page, uniqueName("Pasted URL"), "https://acme.okta.com", TOKEN);

  for (const pasted of ["https://acme.okta.com", "acme-admin"]) {
    await f.subdomain.fill(pasted);
    await page.getByRole("button", { name: "Setup" }).click();
    await expect(f.subdomain).toHaveAttribute("aria-invalid", "true");
    const fix = page.getByRole("button", { name: 'Use "acme"' });
    await expect(fix).toBeVisible();
    if (pasted.startsWith("https")) {
      await expect(page.getByRole("alert").filter({ hasText: "not a URL or host name" })).toBeVisible();
      await shot(page, "6-subdomain-fix");
    }
    await fix.click();
    await expect(f.subdomain).toHaveValue("acme");
    await expect(fix).toHaveCount(0);
    await expect(f.subdomain).toHaveAttribute("aria-invalid", "false");
  }
  // Refused in the browser: the server was never asked.
  expect(setupCalls).toEqual([]);
});

test("the wizard works by keyboard alone", async ({ page }) => {
  const name = uniqueName("Keyboard");
  await openWizard(page);
  const f = fields(page);

  await tabTo(page, f.name);
  await page.keyboard.type(name);
  await page.keyboard.press("Tab");
  await expect(f.subdomain).toBeFocused();
  await page.keyboard.type("acme");
  await page.keyboard.press("Tab");
  await expect(f.domain).toBeFocused();
  await page.keyboard.type("simulator"); // type-ahead selects the matching option
  await expect(f.domain).toHaveValue("simulator.localhost");
  await page.keyboard.press("Tab");
  await expect(f.token).toBeFocused();
  await page.keyboard.type(TOKEN);
  await page.keyboard.press("Enter"); // submits the form: Setup

  await expect(page).toHaveURL(/step=enrichment$/);
  const id = new URL(page.url()).searchParams.get("source")!;
  // Focus moved to the new step, so Tab continues into it.
  await expect(currentStep(page)).toBeFocused();
  const users = page.getByRole("switch", { name: "User Profiles" });
  await tabTo(page, users, 3);
  await page.keyboard.press("Space");
  await expect(users).toBeChecked();
  await expect(page.getByLabel("User profile refresh (minutes)")).toHaveValue("60");
  await page.keyboard.press("Space");
  await expect(users).not.toBeChecked();
  await expect(page.getByLabel("User profile refresh (minutes)")).toHaveCount(0);
  const devices = page.getByRole("switch", { name: "Device Profiles" });
  await tabTo(page, devices, 3);
  await page.keyboard.press("Space");
  await expect(devices).toBeChecked();
  const deviceMinutes = page.getByLabel("Device profile refresh (minutes)");
  await tabTo(page, deviceMinutes, 2);
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("120");
  await tabTo(page, page.getByRole("button", { name: "Next" }), 4);
  await page.keyboard.press("Enter");

  await expect(page).toHaveURL(/step=success$/);
  await expect(currentStep(page)).toBeFocused();
  const alarm = page.getByRole("switch", { name: "Trigger an alert when no events are processed" });
  // Past the history choice, the two detection pack switches and the Detections link.
  await tabTo(page, alarm, 7);
  await expect(alarm).toBeChecked();
  await tabTo(page, page.getByLabel("Timeframe", { exact: true }), 2);
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("2");
  await tabTo(page, page.getByLabel("Timeframe unit"), 2);
  await page.keyboard.type("days");
  await expect(page.getByLabel("Timeframe unit")).toHaveValue("days");
  await tabTo(page, page.getByRole("button", { name: "Finish" }), 4);
  await page.keyboard.press("Space");

  await expect(page).toHaveURL(new RegExp(`/sources/${id}$`));
  const detail = await getSource(page, id);
  expect(detail.enrichment).toEqual({ user_profiles: false, user_refresh_minutes: 60, device_profiles: true, device_refresh_minutes: 120 });
  expect(detail.alarm).toEqual({ no_events_alarm: true, no_events_minutes: 2 * 24 * 60 });
});

test("a reload keeps the step and what was entered or saved", async ({ page }) => {
  const name = uniqueName("Reload");
  const f = fields(page);
  await openWizard(page);
  await fillConfiguration(page, name, "acme", TOKEN);
  await f.token.press("Tab");
  // Name, subdomain and domain are kept in the address; the token is not.
  await expect(page).toHaveURL(/[?&]subdomain=acme(&|$)/);
  await expect(page).toHaveURL(/[?&]domain=simulator\.localhost(&|$)/);
  expect(new URL(page.url()).searchParams.get("name")).toBe(name);
  expect(page.url()).not.toContain(TOKEN);

  await page.reload();
  await hydrated(page);
  await expect(currentStep(page)).toContainText("Configuration");
  await expect(f.name).toHaveValue(name);
  await expect(f.subdomain).toHaveValue("acme");
  await expect(f.domain).toHaveValue("simulator.localhost");
  await expect(f.token).toHaveValue("");

  // Past Setup, the step and the saved values come back from the server.
  await f.token.fill(TOKEN);
  await page.getByRole("button", { name: "Setup" }).click();
  await expect(page).toHaveURL(/step=enrichment$/);
  await page.getByRole("switch", { name: "Device Profiles" }).check();
  await page.getByLabel("Device profile refresh (minutes)").fill("90");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page).toHaveURL(/step=success$/);

  await page.getByRole("button", { name: "Back" }).click();
  await expect(page).toHaveURL(/step=enrichment$/);
  await expect(page.getByRole("switch", { name: "Device Profiles" })).toBeChecked();
  await expect(page.getByLabel("Device profile refresh (minutes)")).toHaveValue("90");

  await page.reload();
  await hydrated(page);
  await expect(currentStep(page)).toContainText("Enrichment");
  await expect(page.getByRole("switch", { name: "User Profiles" })).not.toBeChecked();
  await expect(page.getByRole("switch", { name: "Device Profiles" })).toBeChecked();
  await expect(page.getByLabel("Device profile refresh (minutes)")).toHaveValue("90");

  // Back to Configuration: the source as set up, read-only.
  await page.getByRole("button", { name: "Back" }).click();
  await expect(currentStep(page)).toContainText("Configuration");
  const org = page.getByRole("region", { name: "Okta org" });
  await expect(org.getByLabel("Name")).toHaveText(name);
  await expect(org.getByLabel("Okta org")).toHaveText("acme.simulator.localhost");
  await expect(org).toContainText("can be changed later on the source's Settings tab");
  // Only the token's last four characters, never an input for it here.
  await expect(org.getByLabel("API token")).toHaveText(/^ending in …oken\b/);
  await expect(page.locator("input[type=password]")).toHaveCount(0);
  await shot(page, "7-configured");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(currentStep(page)).toContainText("Enrichment");
});

test("the token never comes back in any response", async ({ page }) => {
  const bodies: Promise<string>[] = [];
  const urls: string[] = [];
  page.on("request", (r) => urls.push(r.url()));
  page.on("response", (r) => {
    const type = r.headers()["content-type"] ?? "";
    if (/wasm|image|font|octet-stream/.test(type)) return;
    bodies.push(r.text().then((t) => `${r.url()}\n${t}`, () => ""));
  });

  const name = uniqueName("No echo");
  await openWizard(page);
  await fillConfiguration(page, name, "acme", TOKEN);
  await page.getByRole("button", { name: "Setup" }).click();
  await expect(page).toHaveURL(/step=enrichment$/);
  const id = new URL(page.url()).searchParams.get("source")!;
  await page.getByRole("button", { name: "Back" }).click();
  await expect(currentStep(page)).toContainText("Configuration");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page).toHaveURL(/step=success$/);
  await page.getByRole("button", { name: "Finish" }).click();
  await expect(page).toHaveURL(new RegExp(`/sources/${id}$`));
  await hydrated(page);
  await page.goto("/sources");
  await hydrated(page);

  const seen = await Promise.all(bodies);
  seen.push(JSON.stringify(await listSources(page)), JSON.stringify(await getSource(page, id)));
  expect(seen.some((b) => b.includes("/api/setup_source"))).toBe(true);
  for (const body of seen) expect(body, "a response carried the token").not.toContain(TOKEN);
  for (const url of urls) expect(url, "a request address carried the token").not.toContain(TOKEN);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  expect(stored).not.toContain(TOKEN);
});
