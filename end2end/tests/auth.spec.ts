import { test, expect, hydrated } from "./fixtures";

// Signing in and out, in a fresh browser context without the suite's stored session.
// The admin (`e2e-admin`, random password) is the one global-setup.ts created.
const USERNAME = "e2e-admin";

function password(): string {
  const value = process.env.GATEHOUSE_E2E_PASSWORD;
  if (!value) throw new Error("GATEHOUSE_E2E_PASSWORD is not set: global-setup did not create the admin");
  return value;
}

test.use({
  storageState: { cookies: [], origins: [] },
  // The refused sign-in answers 401, which the browser logs as a failed resource.
  allowConsoleErrors: [/status of 401/],
});

test("a visitor without a session is sent to sign in, and lands where they were going", async ({ page }) => {
  const response = await page.goto("/sources");
  expect(new URL(page.url()).pathname).toBe("/login");
  expect(new URL(page.url()).searchParams.get("next")).toBe("/sources");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await hydrated(page);

  await page.getByLabel("Username").fill(USERNAME);
  await page.getByLabel("Password").fill("not the right password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  await expect(page).toHaveURL(/\/login\?next=/);

  await page.getByLabel("Password").fill(password());
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sources" })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/sources");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByText(`Signed in as ${USERNAME}`)).toBeVisible();
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "gatehouse_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Strict");
  expect(await page.evaluate(() => document.cookie)).not.toContain("gatehouse_session");

  await hydrated(page);
  await nav.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/login");
  await page.goto("/");
  expect(new URL(page.url()).pathname).toBe("/login");
});

test("a server function called without a session answers 401", async ({ page, baseURL }) => {
  const response = await page.request.post("/api/list_sources", { headers: { Origin: new URL(baseURL!).origin } });
  expect(response.status()).toBe(401);
  const other = await page.request.post("/api/list_sources", { headers: { Origin: "https://evil.example" } });
  expect(other.status()).toBe(403);
});
