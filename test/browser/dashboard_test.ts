/**
 * The fleet dashboard in a real browser: Debian's chromium driven by puppeteer-core against
 * `deno task start` on a fresh `DROVER_DATA` seeded with 1,000 devices. Signs in with the keyboard,
 * reads the overview against the API's summary, filters and pages the device list, accepts a
 * pending device (by mouse and by keyboard) and sees it on the page and in the API, checks the
 * skip link, focus styles and that every control has an accessible name, shows markup sent by a
 * device as text, opens the running rollout from the overview and pauses it (seen on the page and
 * in the API), and signs out. Screenshots of each page go to `test/browser/out/`. Skipped only
 * when chromium is missing and `CI` is not `true` (on CI a missing chromium fails the test).
 * @module
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { startDenoEdge } from "../edge/deno_child.ts";
import { findChromium, seedFleet, seedRolloutRepository } from "./_fleet.ts";

const TOKEN = "browser-test-operator-token";
const OUT = fileURLToPath(new URL("./out/", import.meta.url));
const chromium = await findChromium();

/**
 * In-page code (strings: the test is type-checked without the DOM library). `UNLABELLED`: the
 * controls without a non-empty label (buttons: without text); `FOCUSED`: `TAG:text:id` of the
 * focused element; `OUTLINE`: its computed outline style.
 */
const UNLABELLED = `[...document.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
  .filter((el) => el.tagName === "BUTTON" ? !el.textContent.trim()
    : ![...(el.labels ?? [])].some((label) => label.textContent.trim()))
  .map((el) => el.outerHTML.slice(0, 120))`;
const FOCUSED = `(() => { const el = document.activeElement;
  return (el?.tagName ?? "") + ":" + (el?.textContent ?? "").trim().slice(0, 40) + ":" + (el?.id ?? ""); })()`;
const OUTLINE = "getComputedStyle(document.activeElement).outlineStyle";

async function focusedText(page: Page): Promise<string> {
  return String(await page.evaluate(FOCUSED));
}

/** Presses Tab until the focused element's text matches (at most `max` times); true when found. */
async function tabTo(page: Page, pattern: RegExp, max = 60): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (pattern.test(await focusedText(page))) return true;
  }
  return false;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });
}

async function api(url: string, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(url + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, path);
  return await res.json();
}

Deno.test({
  name: "dashboard in chromium: sign in, overview, filter, page, accept, keyboard, escaping, sign out",
  ignore: chromium === undefined && Deno.env.get("CI") !== "true",
  // puppeteer keeps sockets and timers of its own between steps
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    if (chromium === undefined) {
      throw new Error(
        "Cannot run the browser test: chromium is missing (apt-get install chromium; .ci/run does)",
      );
    }
    await mkdir(OUT, { recursive: true });
    const data = await Deno.makeTempDir({ prefix: "drover-browser-" });
    let browser: Browser | undefined;
    const edge = await (async () => {
      const rolloutId = await seedRolloutRepository(data, Date.now());
      const fleet = { ...await seedFleet(data, { devices: 1000, now: Date.now() }), rolloutId };
      return { fleet, server: await startDenoEdge(data, { DROVER_TOKEN: TOKEN }) };
    })();
    const { fleet, server } = edge;
    try {
      browser = await puppeteer.launch({
        executablePath: chromium,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
      });
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      const problems: string[] = [];
      page.on("dialog", async (dialog) => {
        problems.push(`a dialog opened: ${dialog.message()}`);
        await dialog.dismiss();
      });
      page.on("console", (msg) => {
        const where = msg.location().url ?? "";
        // the one expected error: the 403 answering the wrong token on purpose
        if (msg.type() === "error" && !(/status of 403/.test(msg.text()) && where.endsWith("/ui/login"))) {
          problems.push(`console: ${msg.text()} (${where})`);
        }
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error}`));

      // signed out: the overview sends us to the sign-in page
      await page.goto(`${server.url}/ui/`);
      assert.equal(new URL(page.url()).pathname, "/ui/login");
      assert.deepEqual(await page.evaluate(UNLABELLED), []);
      await shot(page, "1-login");
      // the keyboard: Tab reaches the skip link first, then the token field; Enter submits
      await page.keyboard.press("Tab");
      assert.match(await focusedText(page), /^A:Skip to main content/);
      const outline = await page.evaluate(OUTLINE);
      assert.notEqual(outline, "none", "a visible focus style");
      assert.ok(await tabTo(page, /^INPUT:.*:token$/, 5), "Tab reaches the token field");
      await page.keyboard.type("not-the-token");
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      assert.match(await page.$eval("[role=alert]", (el) => el.textContent ?? ""), /wrong operator token/);
      await shot(page, "1b-login-refused");
      await page.type("#token", TOKEN);
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      assert.equal(new URL(page.url()).pathname, "/ui/");

      // the overview's numbers are the API's
      const stats = await page.$$eval(
        "#stats > div",
        (divs) =>
          Object.fromEntries(
            divs.map((d) => [d.querySelector("dt")!.textContent, d.querySelector("dd")!.textContent]),
          ),
      );
      const summary = await api(server.url, "/v1/fleet/summary") as {
        devices: Record<string, number>;
        seen: Record<string, number>;
      };
      const n = (v: number) => v.toLocaleString("en-US");
      assert.equal(stats.Total, "1,000");
      assert.equal(stats.Pending, n(summary.devices.pending!));
      assert.equal(stats.Accepted, n(summary.devices.accepted!));
      assert.equal(stats.Rejected, n(summary.devices.rejected!));
      assert.equal(stats["Seen in the last 24 h"], n(summary.seen.recent!));
      assert.equal(stats["Not seen for 24 h"], n(summary.seen.stale!));
      assert.ok(await page.$("#rollouts"), "the rollouts region");
      const region = await page.$eval("#rollouts", (el) => el.textContent ?? "");
      assert.match(region, /acme\/radio @ main 7a1b2c3\s*running/);
      assert.match(region, /Signed percent now 25% · effective 25% · next step 50%/);
      await shot(page, "2-overview");

      // the running rollout: its page from the overview, then Pause (the page reloads itself
      // while it runs: the test pauses it before moving on)
      const rolloutPath = `/ui/rollouts/${encodeURIComponent(fleet.rolloutId)}`;
      await Promise.all([page.waitForNavigation(), page.click(`#rollouts a[href='${rolloutPath}']`)]);
      assert.equal(await page.$eval("#rollout-state", (el) => el.textContent), "running");
      assert.ok(await page.$("meta[http-equiv=refresh]"), "reloads while running");
      const rolledBack = await page.$eval(
        "#rollout-counts tr[data-outcome=rolledBack] td",
        (td) => td.textContent ?? "",
      );
      assert.ok(Number(rolledBack) > 0, `rolled back devices: ${rolledBack}`);
      assert.match(await page.$eval("#rollout-failures", (el) => el.textContent ?? ""), /healthE_HEALTH/);
      assert.deepEqual(await page.evaluate(UNLABELLED), []);
      assert.equal(await page.$$eval("script", (s) => s.length), 0, "the failure messages are text");
      await shot(page, "9-rollout-running");
      await Promise.all([
        page.waitForNavigation(),
        page.click(`form[action='${rolloutPath}/pause'] button`),
      ]);
      assert.equal(new URL(page.url()).pathname, rolloutPath);
      assert.equal(await page.$eval("#rollout-state", (el) => el.textContent), "paused");
      assert.equal(await page.$("meta[http-equiv=refresh]"), null, "paused: no reload");
      const paused = await api(server.url, `/v1/fleet/rollouts/${fleet.rolloutId}`);
      assert.deepEqual([paused.state, paused.cap], ["paused", 0]);
      await shot(page, "10-rollout-paused");
      await page.goto(`${server.url}/ui/`);
      await shot(page, "11-overview-paused");

      // the device list: 50 a page, filter, next page
      await Promise.all([page.waitForNavigation(), page.click("nav.main a[href='/ui/devices']")]);
      assert.equal(await page.$$eval("tbody tr", (rows) => rows.length), 50);
      assert.deepEqual(await page.evaluate(UNLABELLED), []);
      await shot(page, "3-devices");
      await page.select("#f-state", "pending");
      await page.type("#f-label", "site=north");
      await Promise.all([page.waitForNavigation(), page.click("form.filters button[type=submit]")]);
      const url = new URL(page.url());
      assert.equal(url.searchParams.get("state"), "pending");
      assert.equal(url.searchParams.get("label"), "site=north");
      const states = await page.$$eval("tbody .badge[class*='s-']", (els) => els.map((e) => e.textContent));
      assert.ok(states.length > 0 && states.every((s) => s === "pending"), states.join());
      await shot(page, "4-devices-filtered");
      await page.goto(`${server.url}/ui/devices?state=pending`);
      await Promise.all([page.waitForNavigation(), page.click("a[rel=next]")]);
      assert.ok(new URL(page.url()).searchParams.get("cursor"));
      assert.equal(
        await page.$$eval("tbody tr", (rows) => rows.length),
        50,
        "100 pending: a second full page",
      );

      // a pending device: Accept, seen on the page and in the API
      await page.goto(`${server.url}/ui/devices?state=pending`);
      const listed = await page.$$eval("tbody th a", (links) => links.map((a) => a.textContent ?? ""));
      const [target, other] = listed.filter((id) => id !== fleet.hostile) as [string, string];
      assert.ok(listed.every((id) => fleet.pending.includes(id)));
      await Promise.all([page.waitForNavigation(), page.click(`a[href='/ui/devices/${target}']`)]);
      assert.equal(await page.$eval("#device-state", (el) => el.textContent), "pending");
      assert.deepEqual(await page.evaluate(UNLABELLED), []);
      await shot(page, "5-device-pending");
      await Promise.all([
        page.waitForNavigation(),
        page.click(`form[action='/ui/devices/${target}/accept'] button`),
      ]);
      assert.equal(new URL(page.url()).pathname, `/ui/devices/${target}`);
      assert.equal(await page.$eval("#device-state", (el) => el.textContent), "accepted");
      assert.equal((await api(server.url, `/v1/fleet/devices/${target}`)).state, "accepted");
      await shot(page, "6-device-accepted");

      // the same with the keyboard only: skip link to main, then Tab to the button, Enter
      await page.goto(`${server.url}/ui/devices/${other}`);
      await page.keyboard.press("Tab");
      assert.match(await focusedText(page), /^A:Skip to main content/);
      await page.keyboard.press("Enter");
      assert.match(await focusedText(page), /^MAIN:.*:main$/, "the skip link moves focus to main");
      assert.ok(await tabTo(page, /^BUTTON:Accept device/), "Tab reaches the Accept button");
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      assert.equal(await page.$eval("#device-state", (el) => el.textContent), "accepted");
      assert.equal((await api(server.url, `/v1/fleet/devices/${other}`)).state, "accepted");

      // markup a device sent is text: no dialog, no script element, the characters shown as is
      await page.goto(`${server.url}/ui/devices/${fleet.hostile}`);
      const texts = await page.$$eval("td", (tds) => tds.map((td) => td.textContent ?? ""));
      assert.ok(
        texts.filter((t) => t === "<script>alert(1)</script>").length >= 2,
        "label and message as text",
      );
      assert.equal(await page.$$eval("script", (s) => s.length), 0);
      await shot(page, "7-device-hostile");

      // releases (from the repository view)
      await Promise.all([page.waitForNavigation(), page.click("nav.main a[href='/ui/releases']")]);
      assert.ok(
        (await page.$$eval("tbody th", (ths) => ths.map((t) => t.textContent))).includes("drover/hello"),
      );
      await shot(page, "8-releases");

      // the accessibility tree names every text field and combo box
      await page.goto(`${server.url}/ui/devices`);
      const tree = await page.accessibility.snapshot({ interestingOnly: true });
      const unnamed: string[] = [];
      const walk = (node: { role?: string; name?: string; children?: unknown[] } | null) => {
        if (!node) return;
        if (["textbox", "combobox", "button", "link"].includes(node.role ?? "") && !node.name?.trim()) {
          unnamed.push(node.role!);
        }
        for (const child of node.children ?? []) walk(child as typeof node);
      };
      walk(tree as Parameters<typeof walk>[0]);
      assert.deepEqual(unnamed, []);

      // sign out: back to the sign-in page, and the pages are closed again
      await Promise.all([page.waitForNavigation(), page.click("header form button")]);
      assert.equal(new URL(page.url()).pathname, "/ui/login");
      await page.goto(`${server.url}/ui/devices`);
      assert.equal(new URL(page.url()).pathname, "/ui/login");
      assert.deepEqual(problems, [], "no dialog, console error (CSP) or page error");
    } finally {
      await browser?.close();
      await server.stop();
      await Deno.remove(data, { recursive: true });
    }
  },
});
