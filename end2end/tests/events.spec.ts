import { test, expect, hydrated, createSource, simulator, callApi } from "./fixtures";

// The event explorer: an event appended to the simulator's demo org is polled within 3 s, found
// on /events by its eventType (the filter goes into the address), and opened with its stored
// JSON and p_ fields. Refused filters say which field is wrong; Older/Newer page through.

test.describe("event explorer", () => {
  // A refused filter logs the browser's own "Failed to load resource: ... 422" line.
  test.use({ allowConsoleErrors: [/status of 422/] });

  test("filter by event type, open an event and read its stored JSON", async ({ page, request }) => {
    test.setTimeout(60_000);
    const { id, name } = await createSource(request, "Explorer", undefined, 1440, []);
    const stamp = Date.now();
    const eventType = `user.explorer.e2e_${stamp}`;
    const uuid = `e2e-explorer-${stamp}`;
    const actor = `explorer-${stamp}@example.com`;
    await simulator(request, "/_sim/orgs/acme/events", {
      uuid,
      published: new Date().toISOString(),
      eventType,
      version: "0",
      severity: "INFO",
      displayMessage: "Explorer journey event",
      actor: { id: "00ue2explorer", type: "User", alternateId: actor, displayName: "E2E Explorer" },
      client: { ipAddress: "198.51.100.42" },
      outcome: { result: "FAILURE" },
    });
    // Stored by this source's next poll (every 3 s).
    await expect
      .poll(
        async () => {
          const page = await callApi(request, "search_events", {
            "query[range]": "1h",
            "query[source_id]": String(id),
            "query[event_type]": eventType,
          });
          return page.events.length;
        },
        { timeout: 30_000 },
      )
      .toBe(1);

    await page.goto("/events");
    await hydrated(page);
    await expect(page.getByRole("heading", { level: 1, name: "Events" })).toBeVisible();
    const filters = page.getByRole("search", { name: "Filter events" });
    await filters.getByLabel("Source").selectOption({ label: name });
    await expect(page).toHaveURL(new RegExp(`[?&]source=${id}`));
    await filters.getByLabel("Event type").fill(eventType);
    await filters.getByLabel("Event type").press("Enter");
    await expect(page).toHaveURL(new RegExp(`[?&]type=${eventType.replace(/\./g, "\\.")}`));
    const table = page.getByRole("table", { name: "Events" });
    const rows = table.getByRole("row").filter({ hasText: eventType });
    await expect(rows).toHaveCount(1);
    await expect(rows).toContainText(actor);
    await expect(rows).toContainText("198.51.100.42");
    await expect(rows).toContainText(name);

    // The address alone asks the same question (a shared link, rendered on the server).
    const shared = page.url();
    await page.goto(shared);
    await hydrated(page);
    await expect(page.getByRole("table", { name: "Events" }).getByRole("row").filter({ hasText: eventType })).toHaveCount(1);
    await expect(page.getByRole("search", { name: "Filter events" }).getByLabel("Event type")).toHaveValue(eventType);

    await page.getByRole("link", { name: new RegExp(`^Event ${eventType.replace(/\./g, "\\.")} at`) }).click();
    await expect(page).toHaveURL(/\/events\/\d+$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(eventType);
    await expect(page.getByLabel("Actor", { exact: true })).toContainText(actor);
    await expect(page.getByLabel("UUID")).toHaveText(uuid);
    const json = page.getByLabel("Stored event JSON");
    await expect(json).toContainText(`"uuid": "${uuid}"`);
    await expect(json).toContainText(`"p_source_id": "${id}"`);
    const pFields = page.getByRole("table", { name: "p_ fields" });
    await expect(pFields.getByRole("row").filter({ hasText: "p_any_ip_addresses" })).toContainText("198.51.100.42");
    await expect(page.getByRole("region", { name: "Alerts" })).toContainText("No alert includes this event.");

    // Each value leads back to the events sharing it.
    await page.getByLabel("Actor", { exact: true }).getByRole("link").click();
    await expect(page).toHaveURL(/\/events\?range=all&actor=/);
    await expect(page.getByRole("table", { name: "Events" }).getByRole("row").filter({ hasText: actor }).first()).toBeVisible();
  });

  test("refused filters name their field, and Older / Newer page through", async ({ page, request }) => {
    const { id } = await createSource(request, "Pager", undefined, 1440, []);
    // The demo org's backlog (500 events) arrives with the first poll.
    await expect
      .poll(
        async () => {
          const page = await callApi(request, "search_events", { "query[range]": "all", "query[source_id]": String(id) });
          return page.next_cursor !== null;
        },
        { timeout: 30_000 },
      )
      .toBe(true);

    await page.goto(`/events?range=all&source=${id}`);
    await hydrated(page);
    const table = page.getByRole("table", { name: "Events" });
    await expect(table.getByRole("row")).toHaveCount(51);
    const pages = page.getByRole("navigation", { name: "Pages of events" });
    const firstRow = await table.getByRole("row").nth(1).textContent();
    await pages.getByRole("link", { name: "Older" }).click();
    await expect(page).toHaveURL(/cursor=o\d+_\d+/);
    await expect(table.getByRole("row").nth(1)).not.toHaveText(firstRow ?? "");
    await pages.getByRole("link", { name: "Newer" }).click();
    await expect(page).toHaveURL(/cursor=n\d+_\d+/);
    await expect(table.getByRole("row").nth(1)).toHaveText(firstRow ?? "");

    const filters = page.getByRole("search", { name: "Filter events" });
    await filters.getByLabel("IP address").fill("not-an-ip");
    await filters.getByLabel("IP address").press("Enter");
    const problem = page.getByRole("alert").filter({ hasText: "Check the filters" });
    await expect(problem).toContainText("IP address: \"not-an-ip\" is not an IP address");
    await expect(page).not.toHaveURL(/cursor=/);
  });
});
