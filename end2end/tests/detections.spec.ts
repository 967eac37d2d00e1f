import { test, expect, hydrated, createSource, simulator } from "./fixtures";

// Detections, end to end: a source's Okta pack is switched on in the browser, an event that
// trips a built-in rule is appended to the simulator org, and the alert it raises is found with
// its context and its event. Then a Python rule is written, tested and saved in the browser and
// alerts on the next matching event.

/** An Okta System Log event as the simulator serves it, published now. */
function oktaEvent(eventType: string, actor: string, extra: Record<string, unknown> = {}) {
  return {
    uuid: `e2e-${eventType}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`,
    published: new Date().toISOString(),
    eventType,
    version: "0",
    severity: "INFO",
    displayMessage: eventType,
    actor: { id: "00ue2e", type: "User", alternateId: actor, displayName: "E2E Admin" },
    client: { ipAddress: "198.51.100.23" },
    outcome: { result: "SUCCESS" },
    target: [{ id: "00te2e", type: "Token", alternateId: "unknown", displayName: "e2e token" }],
    ...extra,
  };
}

test("switching on the Okta pack makes a built-in rule alert on a simulated event, with its context and events", async ({ page, request }) => {
  test.setTimeout(90_000);
  // No packs at first: the source's backfill is stored without running any rule.
  const { id, name } = await createSource(request, "Detected", undefined, 1440, []);
  await page.goto(`/detections?source=${id}`);
  await hydrated(page);
  const pack = page.getByRole("region", { name: "Okta pack" });
  const packSwitch = pack.getByLabel("Enabled for this source");
  await expect(packSwitch).not.toBeChecked();
  const ruleSwitch = pack.getByLabel("Run Okta.APIKeyCreated for this source");
  await expect(ruleSwitch).toBeDisabled();
  await packSwitch.check();
  // The page reloads the switches from the server after saving.
  await expect(ruleSwitch).toBeEnabled();
  await expect(ruleSwitch).toBeChecked();
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("region", { name: "Okta pack" }).getByLabel("Enabled for this source")).toBeChecked();

  const actor = `creator-${Date.now()}@example.com`;
  const event = oktaEvent("system.api_token.create", actor);
  await simulator(request, "/_sim/orgs/acme/events", event);

  // Polled within 3 s, detected within a second; the list refreshes every 3 s.
  await page.goto(`/alerts?rule=Okta.APIKeyCreated&source=${id}`);
  await hydrated(page);
  const row = page.getByRole("table", { name: "Alerts" }).getByRole("row").filter({ hasText: actor });
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await expect(row).toContainText(name);
  await row.getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(actor);
  const detection = page.getByRole("region", { name: "Detection" });
  await expect(detection.getByLabel("Dedup string")).not.toBeEmpty();
  await expect(page.locator("#alert-context-json")).toContainText(actor);
  const events = page.getByRole("region", { name: "Events" });
  await expect(events.getByRole("table", { name: "Matching events" }).getByRole("row")).toHaveCount(2);
  await expect(events).toContainText("system.api_token.create");

  // All of the alert's events, in the event explorer; then the event itself.
  await events.getByRole("link", { name: "Show all in the event explorer" }).click();
  await expect(page).toHaveURL(/\/events\?alert=\d+/);
  await hydrated(page);
  const found = page.getByRole("table").getByRole("row").filter({ hasText: "system.api_token.create" });
  await expect(found).toHaveCount(1);
  await found.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/events\/\d+$/);
  await expect(page.getByText(event.uuid).first()).toBeVisible();
});

test("a Python rule written and tested in the browser alerts on the next matching event", async ({ page, request }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const ruleId = `Custom.E2E.PasswordChange${stamp}`;
  const actor = `changer-${stamp}@example.com`;
  // Only custom rules for this source, so the built-in pack's alerts do not get in the way.
  const { id } = await createSource(request, "Custom", undefined, 1440, ["custom"]);

  await page.goto("/detections/new");
  await hydrated(page);
  await page.getByLabel("Rule ID").fill(ruleId);
  await page.getByLabel("Display name").fill("E2E password change");
  await page.getByLabel("Severity").selectOption("HIGH");
  const body = page.getByLabel("Rule body (Python)");
  await body.fill(
    [
      "from panther_base_helpers import deep_get",
      "",
      "def rule(event):",
      `    return event.get("eventType") == "user.account.update_password" and deep_get(event, "actor", "alternateId", default="").startswith("changer-")`,
      "",
      "def title(event):",
      `    return f"{event.deep_get('actor', 'alternateId')} changed a password"`,
      "",
    ].join("\n"),
  );

  // The test panel runs the rule as written: a match, then a miss, then a broken rule.
  const sample = page.getByLabel("Event (JSON, as stored or as Okta sends it)");
  await sample.fill(JSON.stringify(oktaEvent("user.account.update_password", actor)));
  await page.getByRole("button", { name: "Run test" }).click();
  const verdict = page.locator("#rule-test-verdict");
  await expect(verdict).toHaveAttribute("data-verdict", "match");
  await expect(verdict).toContainText(`${actor} changed a password`);
  await sample.fill(JSON.stringify(oktaEvent("user.session.start", actor)));
  await page.getByRole("button", { name: "Run test" }).click();
  await expect(verdict).toHaveAttribute("data-verdict", "no-match");
  await sample.fill(JSON.stringify(oktaEvent("user.account.update_password", actor)));
  const good = await body.inputValue();
  await body.fill(good.replace("def title(event):", "def title(event):\n    return 1 / 0"));
  await page.getByRole("button", { name: "Run test" }).click();
  await expect(verdict).toHaveAttribute("data-verdict", "error");
  await expect(verdict).toContainText("ZeroDivisionError");
  await body.fill(good);

  await page.getByRole("button", { name: "Save rule" }).click();
  await expect(page).toHaveURL(new RegExp(`/detections/rules/${ruleId.replace(/\./g, "\\.")}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("E2E password change");

  // The custom pack lists it, switched on for the source.
  await page.goto(`/detections?source=${id}`);
  await hydrated(page);
  await expect(page.getByRole("region", { name: "Custom rules pack" }).getByLabel(`Run ${ruleId} for this source`)).toBeChecked();

  await simulator(request, "/_sim/orgs/acme/events", oktaEvent("user.account.update_password", actor));
  await page.goto(`/alerts?rule=${ruleId}&source=${id}`);
  await hydrated(page);
  const row = page.getByRole("table", { name: "Alerts" }).getByRole("row").filter({ hasText: `${actor} changed a password` });
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await expect(row).toContainText("High");
});
