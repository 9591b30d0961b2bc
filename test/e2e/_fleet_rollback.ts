/**
 * The fleet's "done when" scenario, shared by `fleet_rollback_test.ts` (the Deno edge) and
 * `fleet_rollback_worker_test.ts` (workerd with D1): devices with their own target and workspace
 * add `acme/radio`, enroll, install release 1, then install release 2 with
 * `--health-cmd ./bin/check`. Release 2's check fails on a board marked by the file
 * `<target>/board-rev-a`, so exactly those devices roll back; the operator's view must say so.
 *
 * A device is `drover` either as a real process (`dist/drover.mjs` under Node) or as its library
 * in this process (`device/drover.ts` main), both through the same command lines.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../device/drover.ts";
import { DROVER_REPO_MJS, ensureBundle, ROOT, runCommand, runDrover, type RunResult } from "../harness.ts";
import { makeArchive } from "./device_fixture.ts";

export const OPERATOR_TOKEN = "operator-token-fleet-rollback";
export const ENROLL_TOKEN = "enroll-token-fleet-rollback";
export const APP = { name: "acme/radio", ref: "main", dir: "radio" } as const;
export const COMMIT_1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
export const COMMIT_2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
/** The marker of the boards release 2 does not run on (the health check's cwd is `<target>/radio/releases/<id>`). */
const MARKER = "board-rev-a";
const CHECK_1 = "#!/bin/sh\nexit 0\n";
const CHECK_2 =
  `#!/bin/sh\nif [ -e ../../../${MARKER} ]; then echo "radio 2 does not run on ${MARKER}" >&2; exit 3; fi\n`;
export const HEALTH = ["--health-cmd", "./bin/check"];

/** How a device enrolls: with the edge's standing token, a minted one, or none (pending until accepted). */
export type Enrol = "standing" | "minted" | "none";

/** Phase timings, printed at the end. */
export class Timer {
  #start = performance.now();
  #last = this.#start;
  readonly phases: string[] = [];
  lap(name: string): void {
    const now = performance.now();
    this.phases.push(`${name} ${((now - this.#last) / 1000).toFixed(1)} s`);
    this.#last = now;
  }
  total(): string {
    return `${((performance.now() - this.#start) / 1000).toFixed(1)} s (${this.phases.join(", ")})`;
  }
}

/** Runs `fn` over `items` with at most `n` at once. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** `drover` in this process: the CLI's `main`, with `env` as its environment. */
async function droverHere(argv: string[], env: Record<string, string>): Promise<RunResult> {
  let stdout = "", stderr = "";
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
    stderrIsTTY: false,
  });
  return { code, signal: null, stdout, stderr };
}

/** One device of the fleet. */
export class FleetDevice {
  readonly target: string;
  readonly workspace: string;
  id = "";
  state = "";

  constructor(
    readonly index: number,
    dir: string,
    readonly options: { process: boolean; unhealthy: boolean; enrol: Enrol },
  ) {
    this.target = join(dir, `d${index}`, "apps");
    this.workspace = join(dir, `d${index}`, "ws");
  }

  get label(): string {
    return `device ${this.index} (${this.options.process ? "node" : "in process"}${
      this.options.unhealthy ? ", rev A" : ""
    })`;
  }

  /** `drover args` as this device runs it; fails the test with the output unless it exits `expect`. */
  async drover(args: string[], expect = 0): Promise<RunResult> {
    const env = { DROVER_OS_VERSION: "acme-os 3.1", DROVER_DEVICE_TYPE: "raspberrypi4-64" };
    const r = this.options.process
      ? await runDrover(args, { runtime: "node", env })
      : await droverHere(args, env);
    assert.equal(
      r.code,
      expect,
      `${this.label}: drover ${args[0]} exited ${r.code}\n${r.stdout}\n${r.stderr}`,
    );
    return r;
  }

  /** `drover add`, then `drover enroll` (the id and state are kept). */
  async setUp(api: string, mintedToken?: string): Promise<void> {
    await Deno.mkdir(this.target, { recursive: true });
    if (this.options.unhealthy) await Deno.writeTextFile(join(this.target, MARKER), "");
    await this.drover(["add", "--target", this.target, "--app", APP.name, "--ref", APP.ref]);
    const token = this.options.enrol === "standing"
      ? ENROLL_TOKEN
      : this.options.enrol === "minted"
      ? mintedToken
      : undefined;
    const cohort = this.options.unhealthy ? "rev-a" : "rev-b";
    const enrolled = await this.drover([
      "enroll",
      "--api",
      api,
      "--workspace",
      this.workspace,
      ...(token ? ["--enroll-token", token] : []),
      "--label",
      `board=${cohort}`,
      "--json",
    ]);
    const doc = JSON.parse(enrolled.stdout);
    this.id = doc.deviceId;
    this.state = doc.state;
  }

  /** `drover update --health-cmd ./bin/check --json` against `api`. */
  async update(api: string, trustedRoot: string, expect = 0) {
    const r = await this.drover([
      "update",
      "--target",
      this.target,
      "--workspace",
      this.workspace,
      "--api",
      api,
      "--trusted-root",
      trustedRoot,
      ...HEALTH,
      "--json",
    ], expect);
    assert.doesNotMatch(r.stderr, /drover: fleet:/, `${this.label}: a fleet request failed\n${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  /** The commit in `<target>/radio/current/.deploy`. */
  async currentCommit(): Promise<string> {
    return JSON.parse(await Deno.readTextFile(join(this.target, APP.dir, "current/.deploy"))).commit;
  }
}

/**
 * `n` devices: every `processEvery`-th a real process (none without it), every fifth (from the
 * third) on a rev A board, devices 1 and 7 enrolling without a token (pending until accepted), and
 * every tenth (from the tenth) with a token the operator minted.
 */
export function makeFleet(dir: string, n: number, options: { processEvery?: number } = {}): FleetDevice[] {
  const devices: FleetDevice[] = [];
  for (let i = 0; i < n; i++) {
    const process = options.processEvery !== undefined && i % options.processEvery === 0;
    const enrol: Enrol = i === 1 || i === 7 ? "none" : i % 10 === 9 ? "minted" : "standing";
    devices.push(new FleetDevice(i, dir, { process, unhealthy: i % 5 === 2, enrol }));
  }
  return devices;
}

/** Builds dist/drover.mjs, dist/drover-repo.mjs (if stale) and dist/drover-fleet.mjs. */
export async function ensureBundles(): Promise<void> {
  await ensureBundle();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, "scripts/build.ts"), "fleet"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`Cannot build drover-fleet: ${new TextDecoder().decode(out.stderr)}`);
}

/** `drover-repo` (the bundle, under Node); resolves with its `--json` document. */
export async function repo(args: string[]) {
  const r = await runCommand("node", [DROVER_REPO_MJS, ...args, "--json"]);
  if (r.code !== 0) throw new Error(`repo ${args[0]} failed (${r.code}): ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A repository (`drover-repo init`) holding release 1; `addRelease2()` signs release 2 into it. */
export async function makeRepository(dir: string) {
  const repoDir = join(dir, "repo"), keys = join(dir, "keys");
  await repo(["init", "--repo", repoDir, "--keys", keys]);
  const archive1 = await makeArchive(join(dir, "radio-1.tar.gz"), { "bin/check": CHECK_1, VERSION: "1\n" });
  const archive2 = await makeArchive(join(dir, "radio-2.tar.gz"), { "bin/check": CHECK_2, VERSION: "2\n" });
  const add = (commit: string, file: string) =>
    repo([
      "add-app",
      "--repo",
      repoDir,
      "--keys",
      keys,
      "--name",
      APP.name,
      "--ref",
      APP.ref,
      "--commit",
      commit,
      "--file",
      file,
      // the full archive only: the Worker variant publishes release 2 through the edge, target by target
      "--no-chunks",
    ]);
  await add(COMMIT_1, archive1);
  return {
    dir: repoDir,
    keys,
    trustedRoot: join(repoDir, "tuf/1.root.json"),
    archive2,
    /** Signs release 2 into the repository; resolves with `add-app`'s document. */
    addRelease2: () => add(COMMIT_2, archive2),
  };
}

/** Polls `GET /releases` until `acme/radio` main is `commit` (the edge re-reads metadata on its own schedule). */
export async function waitForRelease(api: string, commit: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${api}/releases`);
    const doc = res.ok ? await res.json() : (await res.body?.cancel(), undefined);
    if (doc?.[APP.name]?.[APP.ref]?.commit === commit) return;
    assert.ok(Date.now() < deadline, `the edge never served ${commit}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The operator API of `api` (GET, bearer token; fails the test unless 200). */
export function operatorApi(api: string) {
  return {
    async get(path: string) {
      const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
      const text = await res.text();
      assert.equal(res.status, 200, `GET ${path}: ${text}`);
      return JSON.parse(text);
    },
    async post(path: string, body?: unknown) {
      const res = await fetch(`${api}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      assert.ok(res.status === 200 || res.status === 201, `POST ${path}: ${res.status} ${text}`);
      return JSON.parse(text);
    },
    /** Every device of a list (following `next`), `query` added. */
    async list(query: Record<string, string> = {}) {
      const items: Device[] = [];
      let cursor: string | null = null;
      do {
        const params: URLSearchParams = new URLSearchParams({ ...query, limit: "20" });
        if (cursor) params.set("cursor", cursor);
        const page: { items: Device[]; next: string | null } = await this.get(`/v1/fleet/devices?${params}`);
        items.push(...page.items);
        cursor = page.next;
      } while (cursor);
      return items;
    },
  };
}

/** A Device of the fleet API (the fields the scenario checks). */
export interface Device {
  id: string;
  state: string;
  deviceType: string | null;
  labels: Record<string, string>;
  apps: { name: string; ref: string; commit: string }[];
  lastInstall:
    | { app: string; commit: string; result: string; stage: string; errorCode: string | null }
    | null;
}

const ids = (list: { id: string }[]) => list.map((d) => d.id).sort();

/** What the fleet must show for one device after release 2. */
export function assertDevice(device: Device, fd: FleetDevice): void {
  const rolledBack = fd.options.unhealthy;
  assert.equal(device.state, "accepted", fd.label);
  assert.equal(device.deviceType, "raspberrypi4-64", fd.label);
  assert.deepEqual(
    device.apps.map((a) => [a.name, a.ref, a.commit]),
    [[APP.name, APP.ref, rolledBack ? COMMIT_1 : COMMIT_2]],
    `${fd.label}: what it runs`,
  );
  assert.deepEqual(
    device.lastInstall && { ...device.lastInstall, at: undefined },
    rolledBack
      ? {
        app: APP.name,
        commit: COMMIT_2,
        result: "rolled_back",
        stage: "rollback",
        errorCode: null,
        at: undefined,
      }
      : { app: APP.name, commit: COMMIT_2, result: "ok", stage: "install", errorCode: null, at: undefined },
    `${fd.label}: its last install`,
  );
}

/**
 * The operator API's view after release 2: the lists by commit (and by the board label) hold
 * exactly the rolled-back subset and the rest, each device's detail says what happened, and the
 * summary counts it.
 */
export async function assertOperatorApi(api: string, fleet: FleetDevice[]): Promise<void> {
  const op = operatorApi(api);
  const bad = fleet.filter((d) => d.options.unhealthy), good = fleet.filter((d) => !d.options.unhealthy);
  const all = await op.list();
  assert.deepEqual(ids(all), ids(fleet));
  const onNew = await op.list({ commit: COMMIT_2 });
  const onOld = await op.list({ app: APP.name, commit: COMMIT_1 });
  assert.deepEqual(ids(onNew), ids(good), "on release 2: every healthy device, no other");
  assert.deepEqual(ids(onOld), ids(bad), "on release 1: exactly the rev A boards");
  assert.deepEqual(ids(await op.list({ label: "board=rev-a" })), ids(bad));
  const byId = new Map(fleet.map((d) => [d.id, d]));
  for (const d of [...onNew, ...onOld]) assertDevice(d, byId.get(d.id)!);

  for (const fd of fleet) {
    const detail = await op.get(`/v1/fleet/devices/${fd.id}?reports=20`);
    assertDevice(detail, fd);
    assert.equal(detail.osVersion, "acme-os 3.1");
    assert.deepEqual(detail.labels, { board: fd.options.unhealthy ? "rev-a" : "rev-b" });
    const newest =
      (detail.reports as { commit: string; stage: string; result: string; errorCode: string | null }[])
        .filter((r) => r.commit === COMMIT_2).map((r) => `${r.stage} ${r.result} ${r.errorCode ?? "-"}`);
    assert.deepEqual(
      newest,
      fd.options.unhealthy
        ? ["rollback rolled_back -", "health error E_HEALTH", "verify ok -", "download ok -"]
        : ["install ok -", "health ok -", "verify ok -", "download ok -"],
      `${fd.label}: release 2's reports, newest first`,
    );
    const counters = (detail.releases as { commit: string; ok: number; error: number; rolledBack: number }[])
      .map((r) => [r.commit, r.ok, r.error, r.rolledBack]);
    assert.deepEqual(
      counters,
      [[COMMIT_1, 4, 0, 0], fd.options.unhealthy ? [COMMIT_2, 2, 1, 1] : [COMMIT_2, 4, 0, 0]],
      `${fd.label}: per-release counters`,
    );
  }

  const summary = await op.get("/v1/fleet/summary");
  assertSummary(summary, fleet);
}

const FLEET_MJS = join(ROOT, "dist/drover-fleet.mjs");

/** `node dist/drover-fleet.mjs args` against `api`; fails the test unless it exits 0. */
export async function fleetCli(api: string, args: string[]): Promise<RunResult> {
  const r = await runCommand("node", [FLEET_MJS, ...args], {
    env: { DROVER_EDGE: api, DROVER_OPERATOR_TOKEN: OPERATOR_TOKEN, DROVER_TOKEN: "" },
  });
  assert.equal(r.code, 0, `drover-fleet ${args.join(" ")}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The operator CLI's view after release 2 (`devices --all --commit … --json`, `device`, `summary`). */
export async function assertOperatorCli(api: string, fleet: FleetDevice[]): Promise<void> {
  const bad = fleet.filter((d) => d.options.unhealthy), good = fleet.filter((d) => !d.options.unhealthy);
  const byId = new Map(fleet.map((d) => [d.id, d]));
  const onNew = JSON.parse(
    (await fleetCli(api, ["devices", "--all", "--commit", COMMIT_2, "--json"])).stdout,
  );
  assert.deepEqual(ids(onNew), ids(good), "on release 2: every healthy device, no other");
  const onOld = JSON.parse(
    (await fleetCli(api, ["devices", "--all", "--app", APP.name, "--commit", COMMIT_1, "--json"])).stdout,
  );
  assert.deepEqual(ids(onOld), ids(bad), "on release 1: exactly the rev A boards");
  for (const d of [...onNew, ...onOld] as Device[]) assertDevice(d, byId.get(d.id)!);
  for (const fd of [bad[0]!, good[0]!]) {
    assertDevice(JSON.parse((await fleetCli(api, ["device", fd.id, "--json"])).stdout), fd);
  }
  assertSummary(JSON.parse((await fleetCli(api, ["summary", "--json"])).stdout), fleet);
  const text = (await fleetCli(api, ["summary"])).stdout;
  const n = fleet.length;
  assert.match(text, new RegExp(`^devices {7}${n} \\(accepted ${n}, pending 0, rejected 0\\)$`, "m"));
  assert.match(
    text,
    new RegExp(`^last install {2}ok ${good.length}, error 0, rolled back ${bad.length}, none 0$`, "m"),
  );
}

/** The summary document after release 2. */
export function assertSummary(
  summary: {
    devices: unknown;
    lastInstall: unknown;
    apps: unknown;
    seen: { recent: number; stale: number };
  },
  fleet: FleetDevice[],
): void {
  const bad = fleet.filter((d) => d.options.unhealthy).length, n = fleet.length;
  assert.deepEqual(summary.devices, { total: n, accepted: n, pending: 0, rejected: 0 });
  assert.deepEqual(summary.lastInstall, { ok: n - bad, error: 0, rolledBack: bad, none: 0 });
  assert.deepEqual([summary.seen.recent, summary.seen.stale], [n, 0]);
  assert.deepEqual(summary.apps, [{
    name: APP.name,
    ref: APP.ref,
    devices: n,
    commits: [{ commit: COMMIT_2, devices: n - bad }, { commit: COMMIT_1, devices: bad }],
  }]);
}

/**
 * Sets every device up against `api` (pending ones are accepted by `accept`), installs release 1
 * everywhere, calls `publish` (release 2), installs it everywhere with the health check, and
 * checks each device's own view; `concurrency` devices at a time.
 */
export async function runScenario(
  api: string,
  fleet: FleetDevice[],
  options: {
    trustedRoot: string;
    concurrency: number;
    accept: (id: string) => Promise<void>;
    publish: () => Promise<void>;
    timer: Timer;
  },
): Promise<void> {
  const { trustedRoot, concurrency, timer } = options;
  const op = operatorApi(api);
  const minted = await op.post("/v1/fleet/enroll-tokens", {
    uses: fleet.filter((d) => d.options.enrol === "minted").length,
    ttlMs: 3_600_000,
  });
  await pool(fleet, concurrency, async (d) => {
    await d.setUp(api, minted.token);
    assert.equal(d.state, d.options.enrol === "none" ? "pending" : "accepted", d.label);
    await d.update(api, trustedRoot);
    assert.equal(await d.currentCommit(), COMMIT_1, d.label);
  });
  timer.lap(`${fleet.length} devices enrolled and on release 1`);
  const pending = await op.list({ state: "pending" });
  assert.deepEqual(ids(pending), ids(fleet.filter((d) => d.options.enrol === "none")));
  for (const d of pending) await options.accept(d.id);

  await options.publish();
  timer.lap("release 2 published");
  await pool(fleet, concurrency, async (d) => {
    const doc = await d.update(api, trustedRoot, d.options.unhealthy ? 1 : 0);
    const [app] = doc.install.apps;
    if (d.options.unhealthy) {
      assert.equal(app.action, "health-failed", d.label);
      assert.equal(app.error.code, "E_HEALTH", d.label);
      assert.equal(await d.currentCommit(), COMMIT_1, `${d.label}: switched back`);
    } else {
      assert.equal(app.action, "installed", d.label);
      assert.equal(await d.currentCommit(), COMMIT_2, d.label);
    }
  });
  for (const d of fleet.filter((d) => d.options.enrol === "none")) {
    const status = await d.drover(["status", "--target", d.target, "--workspace", d.workspace, "--json"]);
    const { fleet: f } = JSON.parse(status.stdout);
    assert.deepEqual(
      [f.deviceId, f.state, f.waiting],
      [d.id, "accepted", 0],
      `${d.label}: learnt it was accepted`,
    );
  }
  timer.lap("release 2 installed or rolled back");
}
