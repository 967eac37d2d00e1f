import { Locator, Page } from "@playwright/test";
import { test, expect, hydrated, createSource } from "./fixtures";

// The ingestion-health dashboard at `/`. Each test makes its own source through the server
// functions the wizard calls (setup_source, then finish_setup). Other specs add sources to the
// same server, so nothing here assumes how many there are.

const CHART = "Events per minute, last 24 hours";

async function openDashboard(page: Page) {
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
}

/** `1,234` → 1234. */
async function count(value: Locator): Promise<number> {
  return Number((await value.textContent())?.replace(/,/g, "").trim());
}

function totals(page: Page): Locator {
  return page.getByRole("region", { name: "Totals" });
}

/** The Sources tile, or 0 while the dashboard shows its empty state. */
async function sourcesTotal(page: Page): Promise<number> {
  const empty = page.getByRole("region", { name: "No sources yet" });
  await expect(totals(page).or(empty)).toBeVisible();
  if (await empty.isVisible()) return 0;
  return count(totals(page).getByLabel("Sources", { exact: true }));
}

/** One source's card: the region named by the source's name. */
function card(page: Page, name: string): Locator {
  return page.getByRole("region", { name, exact: true });
}

test("a new source appears with its state, chart and growing counts, without a reload", async ({ page }) => {
  await openDashboard(page);
  await page.evaluate(() => ((window as any).__noReload = true));
  const before = await sourcesTotal(page);

  const { name } = await createSource(page.request, "Dashboard");
  const source = card(page, name);
  await expect(source).toBeVisible();
  await expect(source.getByRole("img", { name: CHART })).toBeVisible();

  // The first poll lands the simulator's backlog; the 5-second refresh shows it.
  await expect
    .poll(() => count(source.getByLabel("Events last 24 hours", { exact: true })), { timeout: 15_000 })
    .toBeGreaterThan(0);
  await expect(source.getByLabel("Status", { exact: true })).toContainText("Healthy", { timeout: 30_000 });
  await expect(source.getByLabel("Last event", { exact: true }).locator("time")).toHaveAttribute(
    "datetime",
    /^\d{4}-\d\d-\d\dT/,
  );
  await expect(source.getByLabel("Last poll", { exact: true })).toContainText("succeeded");
  await expect(source.getByLabel("Rate-limit headroom", { exact: true })).toContainText(/[\d,]+ of [\d,]+ left/);

  await expect(totals(page).getByLabel("Sources", { exact: true })).toHaveText(String(before + 1));
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
});

test("the totals are the sums of the source cards", async ({ page }) => {
  await createSource(page.request, "Totalled");
  await openDashboard(page);

  const cards = page.getByRole("region").filter({ has: page.getByRole("img", { name: CHART }) });
  const tile = (label: string) => count(totals(page).getByLabel(label, { exact: true }));
  const sum = async (label: string) =>
    (await cards.getByLabel(label, { exact: true }).allTextContents())
      .map((text) => Number(text.replace(/,/g, "").trim()))
      .reduce((a, b) => a + b, 0);

  // The page refreshes itself every few seconds: read until one snapshot is read whole.
  await expect
    .poll(async () => {
      const states = await cards.getByLabel("Status", { exact: true }).allTextContents();
      const with_ = (...badges: string[]) => states.filter((s) => badges.some((b) => s.trim().startsWith(b))).length;
      return {
        sources: (await tile("Sources")) - states.length,
        healthy: (await tile("Healthy")) - with_("Healthy"),
        attention: (await tile("Need attention")) - with_("Degraded", "Failing"),
        hour: (await tile("Events last hour")) - (await sum("Events last hour")),
        day: (await tile("Events last 24 hours")) - (await sum("Events last 24 hours")),
      };
    })
    .toEqual({ sources: 0, healthy: 0, attention: 0, hour: 0, day: 0 });
  expect(await cards.count()).toBeGreaterThan(0);
});

test("a source's name links to its page", async ({ page }) => {
  const { id, name } = await createSource(page.request, "Linked");
  await openDashboard(page);

  await card(page, name).getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/sources/${id}$`));
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
});
