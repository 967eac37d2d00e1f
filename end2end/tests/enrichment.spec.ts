import { test, expect, hydrated, createSource } from "./fixtures";

// Profile enrichment, end to end: switching User Profiles on syncs the simulator org's 200
// users into the Users table, events stored after the first full sync carry their `okta_users`
// matches (shown on the Events tab), and once the sync is off its profiles can be deleted.

test("user profiles sync, enrich new events, and can be deleted once switched off", async ({ page }) => {
  test.setTimeout(120_000);
  const { id } = await createSource(page.request, "Profiles");
  await page.goto(`/sources/${id}?tab=enrichment`);
  await hydrated(page);
  const panel = page.getByRole("tabpanel", { name: "Enrichment" });
  const sync = panel.getByRole("region", { name: "User profile sync" });
  const users = panel.getByRole("table", { name: "Users" });

  // Off at first: nothing stored, nothing to sync.
  await expect(sync.getByLabel("State")).toHaveText("Off");
  await expect(sync.getByRole("button", { name: "Sync now" })).toBeDisabled();
  await expect(panel.getByText("No user profiles stored. Switch on User Profiles to sync them from Okta.")).toBeVisible();

  await panel.getByRole("switch", { name: "User Profiles" }).check();
  await expect(panel.getByRole("status")).toHaveText("Saved");
  await expect(sync.getByRole("button", { name: "Sync now" })).toBeEnabled();
  await expect(sync.getByLabel("State")).toHaveText("Ready", { timeout: 30_000 });
  await expect(sync.getByLabel("Last full sync").locator("time")).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
  await expect(sync.getByLabel("Profiles stored")).toHaveText("200");
  await expect(users.getByRole("row")).toHaveCount(51); // the header and a page of 50
  const pages = panel.getByRole("navigation", { name: "User pages" });
  await expect(pages).toContainText("1–50 of 200");

  // About one in twenty simulated people is deprovisioned: page until one shows, then find it
  // by its login.
  const deprovisioned = users.getByRole("row").filter({ hasText: "Deprovisioned" }).first();
  for (let i = 0; i < 3 && (await deprovisioned.count()) === 0; i++) {
    const shown = await pages.textContent();
    await pages.getByRole("button", { name: "Next" }).click();
    await expect(pages).not.toHaveText(shown ?? "");
  }
  const login = (await deprovisioned.getByRole("cell").nth(1).textContent())!.split("@")[0] + "@";
  await panel.getByLabel("Search users").fill(login);
  await expect(users.getByRole("row")).toHaveCount(2);
  await expect(users.getByRole("row").nth(1)).toContainText(login);
  await expect(users.getByRole("row").nth(1).getByRole("cell").first()).toHaveText("Deprovisioned");
  await expect(pages).toContainText("1–1 of 1");
  await panel.getByLabel("Search users").fill("nobody-by-this-name");
  await expect(panel.getByText("No user profiles match “nobody-by-this-name”.")).toBeVisible();

  // Events stored after the sync name their actor's profile.
  await page.getByRole("tab", { name: "Events" }).click();
  const events = page.getByRole("tabpanel", { name: "Events" });
  const recent = events.getByRole("table", { name: "Recent events" });
  const detail = events.getByRole("region", { name: "Event detail" });
  await expect(recent.getByRole("row").nth(1)).toBeVisible();
  // Not every event has a person as its actor: look through the enriched ones.
  await expect(async () => {
    const shows = recent.getByRole("row").filter({ hasText: /\d+ match/ }).getByRole("button", { name: /^Show event / });
    const names = await shows.evaluateAll((buttons) => buttons.slice(0, 10).map((b) => b.getAttribute("aria-label")!));
    expect(names.length, "events with enrichment matches").toBeGreaterThan(0);
    for (const name of names) {
      await recent.getByRole("button", { name, exact: true }).click();
      await expect(detail.getByLabel("UUID")).toHaveText(name.replace("Show event ", ""));
      const byActor = detail
        .getByRole("table", { name: "Matched enrichment" })
        .getByRole("row")
        .filter({ hasText: "okta_users" })
        .filter({ hasText: "actor.id" });
      if ((await byActor.count()) > 0) return;
    }
    throw new Error("no event with an okta_users actor.id match yet");
  }).toPass({ timeout: 45_000 });
  await detail.getByText("Stored event JSON", { exact: true }).click();
  await expect(detail.getByLabel("Stored event JSON")).toContainText("p_enrichment");

  // Off again: the profiles stay until deleted.
  await page.getByRole("tab", { name: "Enrichment" }).click();
  await panel.getByRole("switch", { name: "User Profiles" }).uncheck();
  await expect(panel.getByRole("status")).toHaveText("Saved");
  await expect(sync.getByLabel("State")).toHaveText("Off");
  await sync.getByRole("button", { name: "Delete 200 stored user profiles" }).click();
  await sync.getByRole("button", { name: "Yes, delete 200 user profiles" }).click();
  await expect(sync.getByLabel("Profiles stored")).toHaveText("0");
  await expect(sync.getByRole("button", { name: /^Delete / })).toHaveCount(0);
  await panel.getByLabel("Search users").fill("");
  await expect(panel.getByText("No user profiles stored. Switch on User Profiles to sync them from Okta.")).toBeVisible();
  await expect(users).toHaveCount(0);
});
