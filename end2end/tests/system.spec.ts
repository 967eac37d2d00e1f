import { test, expect, hydrated } from "./fixtures";

test("Settings shows live server data, and Refresh round-trips a server function", async ({ page }) => {
  await page.goto("/settings");
  const system = page.getByRole("region", { name: "System" });
  // Server-rendered: the database path global-setup chose, and every migration applied.
  await expect(system.getByLabel("Database")).toHaveText(new RegExp(`${process.env.GATEHOUSE_E2E_DIR}/gatehouse\\.db$`));
  await expect(system.getByLabel("Migrations applied")).not.toHaveText("0");
  await expect(system.getByRole("list", { name: "Applied migrations" }).getByRole("listitem").first()).toContainText("foundation");
  await hydrated(page);

  const checked = system.getByLabel("Checked");
  const before = await checked.textContent();
  const call = page.waitForResponse((r) => r.url().includes("/api/get_system_info") && r.request().method() === "POST");
  await system.getByRole("button", { name: "Refresh" }).click();
  const response = await call;
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  await expect(checked).not.toHaveText(before ?? "");
  await expect(checked).toHaveText(body.checked_at);
});
