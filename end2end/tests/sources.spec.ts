import { Page } from "@playwright/test";
import { test, expect, hydrated, createSource } from "./fixtures";

// The sources list and one source's page. Each test makes its own source through the same
// server functions the wizard calls (setup_source, then finish_setup), so these journeys do not
// depend on the wizard's UI.

async function openSource(page: Page, id: number, tab?: string) {
  await page.goto(tab ? `/sources/${id}?tab=${tab}` : `/sources/${id}`);
  await hydrated(page);
}

test("the list shows a new source with its state, links to it, and counts events without a reload", async ({ page }) => {
  const { id, name } = await createSource(page.request, "Listed");
  await page.goto("/sources");
  await hydrated(page);
  await page.evaluate(() => ((window as any).__noReload = true));

  await expect(page.getByRole("link", { name: "Add source" }).first()).toHaveAttribute("href", "/sources/new");
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
  await expect(row).toContainText("acme.simulator.localhost");
  await expect(row).toContainText(/Pending|Backfilling|Healthy/);
  await expect(row).toContainText("…oken");

  // "Events processed" is the fourth column; the page refreshes itself as the first poll lands.
  const events = row.getByRole("cell").nth(3);
  await expect
    .poll(async () => Number((await events.textContent())?.replace(/,/g, "")), { timeout: 10_000 })
    .toBeGreaterThan(0);
  await expect(row.getByRole("cell").nth(4).locator("time")).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  await row.getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/sources/${id}$`));
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByRole("tab", { name: "Overview" })).toHaveAttribute("aria-selected", "true");
  const overview = page.getByRole("tabpanel", { name: "Overview" });
  await expect(overview.getByLabel("Okta org")).toHaveText("acme.simulator.localhost");
  await expect(overview.getByLabel("API token")).toHaveText("ending in …oken");
  await expect
    .poll(async () => Number((await overview.getByLabel("Events processed").textContent())?.replace(/,/g, "")))
    .toBeGreaterThan(0);
});

test("enrichment switches save at once, say so, and survive a reload", async ({ page }) => {
  const { id } = await createSource(page.request, "Enriched");
  await openSource(page, id, "enrichment");
  const panel = page.getByRole("tabpanel", { name: "Enrichment" });
  const saved = panel.getByRole("status");

  const users = panel.getByRole("switch", { name: "User Profiles" });
  const devices = panel.getByRole("switch", { name: "Device Profiles" });
  // A source made without the wizard's enrichment step starts with both syncs off.
  await expect(users).not.toBeChecked();
  await expect(devices).not.toBeChecked();
  await expect(panel.getByLabel("Refresh device profiles every (minutes)")).toHaveCount(0);

  await devices.check();
  await expect(saved).toHaveText("Saved");
  const minutes = panel.getByLabel("Refresh device profiles every (minutes)");
  await expect(minutes).toHaveValue("60");

  await minutes.fill("5");
  await minutes.press("Tab");
  await expect(panel.getByText("Choose between 15 and 1440 minutes.")).toBeVisible();
  await expect(minutes).toHaveAttribute("aria-invalid", "true");
  await expect(saved).toHaveText("");

  await minutes.fill("120");
  await minutes.press("Tab");
  await expect(saved).toHaveText("Saved");
  await expect(minutes).toHaveAttribute("aria-invalid", "false");

  await users.check();
  await expect(saved).toHaveText("Saved");
  await expect(panel.getByLabel("Refresh user profiles every (minutes)")).toHaveValue("60");
  await users.uncheck();
  await expect(saved).toHaveText("Saved");
  await expect(panel.getByLabel("Refresh user profiles every (minutes)")).toHaveCount(0);

  await page.reload();
  await hydrated(page);
  await expect(users).not.toBeChecked();
  await expect(devices).toBeChecked();
  await expect(panel.getByLabel("Refresh device profiles every (minutes)")).toHaveValue("120");
});

// A refused server call answers HTTP 500, which the browser logs as a console error.
const refusalsExpected = { allowConsoleErrors: [/status of (422|502)/] };

test.describe("rename and polling", () => {
  test.use(refusalsExpected);
  test("rename and poll interval save; invalid values show their problems; the tab is kept in the URL", async ({ page }) => {
    const other = await createSource(page.request, "Taken");
    const { id } = await createSource(page.request, "Renamed");
    await openSource(page, id);

    await page.getByRole("tab", { name: "Settings" }).click();
    await expect(page).toHaveURL(new RegExp(`/sources/${id}\\?tab=settings$`));
    await page.reload();
    await hydrated(page);
    const settingsTab = page.getByRole("tab", { name: "Settings" });
    await expect(settingsTab).toHaveAttribute("aria-selected", "true");
    // Arrow keys move between tabs (and the URL follows).
    await settingsTab.press("ArrowLeft");
    await expect(page.getByRole("tab", { name: "Enrichment" })).toBeFocused();
    await expect(page.getByRole("tab", { name: "Enrichment" })).toHaveAttribute("aria-selected", "true");
    await expect(page).toHaveURL(new RegExp(`/sources/${id}\\?tab=enrichment$`));
    await page.getByRole("tab", { name: "Enrichment" }).press("ArrowRight");
    await expect(settingsTab).toBeFocused();
    await expect(settingsTab).toHaveAttribute("aria-selected", "true");
    const panel = page.getByRole("tabpanel", { name: "Settings" });
    const name = panel.getByLabel("Source name", { exact: true });

    await name.fill("   ");
    await panel.getByRole("button", { name: "Save name" }).click();
    await expect(panel.getByText("Enter a name for this source.")).toBeVisible();

    await name.fill(other.name);
    await panel.getByRole("button", { name: "Save name" }).click();
    await expect(panel.getByRole("alert").filter({ hasText: "already exists" })).toBeVisible();

    const renamed = `Renamed again ${Date.now()}`;
    await name.fill(renamed);
    await panel.getByRole("button", { name: "Save name" }).click();
    await expect(panel.getByText("Name saved")).toBeVisible();
    await expect(page.getByRole("heading", { level: 1, name: renamed })).toBeVisible();
    await expect(page).toHaveTitle(`${renamed} · Gatehouse`);

    const interval = panel.getByLabel("Poll interval (seconds)");
    await interval.fill("30");
    await panel.getByRole("button", { name: "Save polling settings" }).click();
    await expect(panel.getByText("Poll every 60 to 300 seconds.")).toBeVisible();
    await interval.fill("120");
    await panel.getByRole("button", { name: "Save polling settings" }).click();
    await expect(panel.getByText("Polling settings saved")).toBeVisible();
    // Once the first poll ran, the backfill window is fixed (and says why).
    await expect(panel.getByLabel("Backfill window (hours)")).toBeDisabled();
    await expect(panel.getByText("Applies only to the first poll")).toBeVisible();

    await page.getByRole("tab", { name: "Overview" }).click();
    await expect(page.getByRole("tabpanel", { name: "Overview" }).getByLabel("Poll interval")).toHaveText("every 120 seconds");
    await page.goto("/sources");
    await expect(page.getByRole("link", { name: renamed, exact: true })).toBeVisible();
  });
});

test.describe("replacing the token", () => {
  test.use(refusalsExpected);
  test("a wrong replacement token shows Okta's answer and keeps the old one; a good one replaces it", async ({ page }) => {
    const { id } = await createSource(page.request, "Token");
    await openSource(page, id, "settings");
    const panel = page.getByRole("tabpanel", { name: "Settings" });
    const card = panel.getByRole("region", { name: "API token" });
    await expect(card).toContainText("The current token ends in …oken");

    await card.getByLabel("New API token").fill("not-the-right-token");
    await card.getByRole("button", { name: "Replace token" }).click();
    await expect(card.getByRole("alert")).toContainText("E0000011");
    await expect(card).toContainText("The current token ends in …oken");

    await card.getByLabel("New API token").fill("demo-token");
    await card.getByRole("button", { name: "Replace token" }).click();
    await expect(card.getByRole("status")).toHaveText("Token replaced; it ends in …oken");
    await expect(card.getByRole("alert")).toHaveCount(0);
    await expect(card.getByLabel("New API token")).toHaveValue("");
  });
});

test("pause and resume change the source's state", async ({ page }) => {
  const { id } = await createSource(page.request, "Paused");
  await openSource(page, id, "settings");
  const panel = page.getByRole("tabpanel", { name: "Settings" });

  await panel.getByRole("button", { name: "Pause polling" }).click();
  await expect(panel.getByRole("button", { name: "Resume polling" })).toBeVisible();
  await page.getByRole("tab", { name: "Overview" }).click();
  const status = page.getByRole("tabpanel", { name: "Overview" }).getByLabel("Status");
  await expect(status).toContainText("Paused");
  await expect(status).toContainText("Paused by an administrator");

  await page.getByRole("tab", { name: "Settings" }).click();
  await panel.getByRole("button", { name: "Resume polling" }).click();
  await expect(panel.getByRole("button", { name: "Pause polling" })).toBeVisible();
  await page.getByRole("tab", { name: "Overview" }).click();
  await expect(status).not.toContainText("Paused");
});

test.describe("deleting", () => {
  // The deleted source's page answers 404 afterwards, which the browser logs.
  test.use({ allowConsoleErrors: [/status of 404/] });

  test("delete needs the typed name, removes the source and lands on the list", async ({ page }) => {
    const { id, name } = await createSource(page.request, "Doomed");
    await openSource(page, id, "settings");
    const zone = page.getByRole("region", { name: "Danger zone" });
    const remove = zone.getByRole("button", { name: "Delete source" });

    await expect(remove).toBeDisabled();
    await zone.getByLabel("Type the source name to confirm").fill(`${name} nope`);
    await expect(remove).toBeDisabled();
    await zone.getByLabel("Type the source name to confirm").fill(name);
    await expect(remove).toBeEnabled();
    await remove.click();

    await expect(page).toHaveURL(/\/sources$/);
    await expect(page.getByRole("heading", { level: 1, name: "Sources" })).toBeVisible();
    await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
    await page.goto(`/sources/${id}`);
    await expect(page.getByRole("heading", { level: 1, name: `Source ${id} was not found` })).toBeVisible();
  });
});

test.describe("an unknown source", () => {
  test.use({ allowConsoleErrors: [/status of 404/] });

  test("an unknown source id says it was not found (HTTP 404), with a way back", async ({ page }) => {
    const response = await page.goto("/sources/987654");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "Source 987654 was not found" })).toBeVisible();
    await hydrated(page);
    await page.getByRole("link", { name: "Back to sources" }).click();
    await expect(page).toHaveURL(/\/sources$/);
    await expect(page.getByRole("heading", { level: 1, name: "Sources" })).toBeVisible();
  });
});
