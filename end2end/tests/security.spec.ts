import { test, expect, hydrated } from "./fixtures";

// The Content-Security-Policy of server/src/web/security.rs: scripts only from the console itself
// or carrying the response's nonce, WASM allowed, never eval. Every other spec fails on a
// violation too (it is a console error); this one says so by name.
test("pages send a nonce CSP and hydrate and navigate without violating it", async ({ page }) => {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as any).__cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (e) =>
      seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline code"}`),
    );
  });

  const response = await page.goto("/");
  expect(response?.ok()).toBe(true);
  const csp = response!.headers()["content-security-policy"];
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9_-]{22,})' 'wasm-unsafe-eval'/.exec(csp)?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(csp).not.toMatch(/(^|\s)'unsafe-eval'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(response!.headers()["x-frame-options"]).toBe("DENY");

  await hydrated(page);
  // The hydration script ran because it carries the header's nonce (browsers expose it only as
  // the `nonce` property, never as the attribute).
  const scriptNonces = await page.evaluate(() =>
    Array.from(document.querySelectorAll("script:not([src])"), (s) => (s as HTMLScriptElement).nonce),
  );
  expect(scriptNonces.length).toBeGreaterThan(0);
  for (const n of scriptNonces) expect(n).toBe(nonce);

  // Client-side navigation renders the other areas without a page load (no new nonce).
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const area of ["Sources", "Events", "Alerts", "Detections", "Settings", "Dashboard"]) {
    await nav.getByRole("link", { name: area }).click();
    await expect(page.getByRole("heading", { level: 1, name: area })).toBeVisible();
  }
  expect(await page.evaluate(() => (window as any).__cspViolations)).toEqual([]);
});
