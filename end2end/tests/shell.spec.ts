import { test, expect, hydrated } from "./fixtures";

test("the console hydrates: navigation collapses only once the WASM runs", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await hydrated(page);

  const toggle = page.getByRole("button", { name: "Collapse navigation" });
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await toggle.click();
  const expand = page.getByRole("button", { name: "Expand navigation" });
  await expect(expand).toHaveAttribute("aria-expanded", "false");
  await expand.click();
  await expect(page.getByRole("button", { name: "Collapse navigation" })).toHaveAttribute("aria-expanded", "true");
});

test("client-side navigation reaches every area without a page load", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  // A full page load would reset this marker; client-side routing keeps it.
  await page.evaluate(() => ((window as any).__noReload = true));
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const area of ["Sources", "Alerts", "Detections", "Settings", "Dashboard"]) {
    await nav.getByRole("link", { name: area }).click();
    await expect(page.getByRole("heading", { level: 1, name: area })).toBeVisible();
    await expect(nav.getByRole("link", { name: area })).toHaveAttribute("aria-current", "page");
  }
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
});

test.describe("a missing page", () => {
  test.use({ allowConsoleErrors: [/status of 404/] });

  test("an unknown address answers 404 with a way back", async ({ page }) => {
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
    await hydrated(page);
    await page.getByRole("link", { name: "Back to the dashboard" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  });
});
