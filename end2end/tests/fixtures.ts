import { test as base, expect, APIRequestContext, Page } from "@playwright/test";

// Every test: the base URL of the server global-setup.ts started, and a page that fails the
// test on any browser console error or uncaught exception (hydration errors show up there).
export const test = base.extend<{ consoleErrors: string[]; allowConsoleErrors: RegExp[] }>({
  // Console errors a test expects (e.g. the browser's own "404" line for a missing page).
  allowConsoleErrors: [[], { option: true }],
  baseURL: async ({}, use) => {
    const url = process.env.GATEHOUSE_URL;
    if (!url) throw new Error("GATEHOUSE_URL is not set: global-setup did not start the server");
    await use(url);
  },
  consoleErrors: [
    async ({ page, allowConsoleErrors }, use) => {
      const errors: string[] = [];
      page.on("console", (msg) => {
        const text = msg.text();
        if (msg.type() === "error" && !allowConsoleErrors.some((re) => re.test(text))) errors.push(text);
      });
      page.on("pageerror", (err) => errors.push(String(err)));
      await use(errors);
      expect(errors, "browser console errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Waits until the WASM half has hydrated the page (the layout sets data-hydrated). */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("[data-hydrated]")).toHaveAttribute("data-hydrated", "true");
}

/** Calls a server function (stable `/api/<name>` URLs) with form fields; expects success. */
export async function callApi(request: APIRequestContext, fn: string, form: Record<string, string>): Promise<any> {
  const response = await request.post(`/api/${fn}`, { form, headers: { Accept: "application/json", ...sameOrigin() } });
  expect(response.status(), `${fn}: ${await response.text()}`).toBe(200);
  return response.json();
}

/** The `Origin` header a browser sends with the console's own POSTs: the server refuses
 * state-changing requests without it (CSRF; see server/src/web/auth.rs). Playwright's API
 * requests send none, so calls made outside the page add it. */
export function sameOrigin(): Record<string, string> {
  const url = process.env.GATEHOUSE_URL;
  if (!url) throw new Error("GATEHOUSE_URL is not set: global-setup did not start the server");
  return { Origin: new URL(url).origin };
}

/** A simulator org (see global-setup.ts). */
export type Org = { subdomain: string; token: string };
export const ACME: Org = { subdomain: "acme", token: "demo-token" };

/** Detection packs a new source runs unless told otherwise (as the wizard has them). */
export const ALL_PACKS = ["okta", "custom"];

/** Creates a finished source for a simulator org (the demo org unless told), as the wizard
 * would; returns its id and its unique name. `packs`: the detection packs it runs (tests that
 * count a source's system alerts pass none, as the simulator's traffic trips Okta rules). */
export async function createSource(
  request: APIRequestContext,
  label: string,
  org: Org = ACME,
  alarmMinutes = 1440,
  packs: string[] = ALL_PACKS,
): Promise<{ id: number; name: string }> {
  const name = `${label} ${Date.now()}`;
  const id: number = await callApi(request, "setup_source", {
    "setup[name]": name,
    "setup[subdomain]": org.subdomain,
    "setup[domain]": "simulator.localhost",
    "setup[token]": org.token,
  });
  for (const pack of ALL_PACKS.filter((p) => !packs.includes(p))) {
    await callApi(request, "set_pack_enabled", { source_id: String(id), pack_id: pack, enabled: "false" });
  }
  await callApi(request, "finish_setup", {
    id: String(id),
    "alarm[no_events_alarm]": "true",
    "alarm[no_events_minutes]": String(alarmMinutes),
  });
  return { id, name };
}

/** Calls the simulator's admin API (`/_sim/...`, see server/src/simulator/admin.rs). */
export async function simulator(request: APIRequestContext, path: string, body?: unknown): Promise<void> {
  const base = process.env.GATEHOUSE_SIM_URL;
  if (!base) throw new Error("GATEHOUSE_SIM_URL is not set: global-setup did not start the simulator");
  const response = await request.post(`${base}${path}`, { data: body ?? {} });
  expect(response.status(), `${path}: ${await response.text()}`).toBeLessThan(300);
}
