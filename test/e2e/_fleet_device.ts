/**
 * One device of the fleet rollback scenario (`_fleet_rollback.ts`), with its own target and workspace.
 * A device is `drover` either as a real process (`dist/drover.mjs` under Node) or as its library in this
 * process (`device/drover.ts` main), both through the same command lines.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../device/drover.ts";
import { runDrover, type RunResult } from "../harness.ts";
import { APP, ENROLL_TOKEN, HEALTH, MARKER } from "./_fleet_constants.ts";

/** How a device enrolls: with the edge's standing token, a minted one, or none (pending until accepted). */
export type Enrol = "standing" | "minted" | "none";

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
