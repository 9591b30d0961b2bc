/**
 * One simulated device: its own target and workspace under `devices/dNN/`, labels (`site`,
 * `device-type`, `board`), and `drover` run in this process (device/drover.ts `main`) for `add`,
 * `enroll` and `update --health-cmd 'sh bin/check'`. The health check sees the device's directory
 * as `$DROVER_DEMO_DEVICE`, where the demo leaves a release's failure marker.
 *
 * @example
 * ```ts ignore
 * import { DemoDevice } from "./demo_device.ts";
 * const device = new DemoDevice(1, "/tmp/demo/devices");
 * await device.setUp({ url, enrollToken });
 * const outcome = await device.update({ url, trustedRoot });
 * ```
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { main } from "../../device/drover.ts";
import type { UpdateReport } from "../../device/commands/update.ts";
import { DEMO_APP } from "./demo_release.ts";

const SITES = ["amsterdam", "lisbon", "oslo", "tallinn"] as const;

/** What one `drover update` did. */
export type UpdateOutcome =
  | { kind: "installed"; commit: string }
  | { kind: "rolled-back"; commit: string }
  | { kind: "failed"; message: string }
  | { kind: "unchanged" };

/** One simulated device. */
export class DemoDevice {
  readonly dir: string;
  readonly target: string;
  readonly workspace: string;
  readonly labels: Record<string, string>;

  /** Device `index` (from 1) lives in `<devicesDir>/dNN`. */
  constructor(readonly index: number, devicesDir: string) {
    this.dir = join(devicesDir, `d${String(index).padStart(2, "0")}`);
    this.target = join(this.dir, "apps");
    this.workspace = join(this.dir, "workspace");
    this.labels = {
      site: SITES[index % SITES.length]!,
      "device-type": index % 3 === 0 ? "raspberrypi5" : "raspberrypi4-64",
      board: index % 5 === 2 ? "rev-a" : "rev-b",
    };
  }

  /** `drover add`, then `drover enroll` with the edge's enrolment token (accepted at once). */
  async setUp(edge: { url: string; enrollToken: string }, signal?: AbortSignal): Promise<void> {
    await mkdir(this.target, { recursive: true });
    await this.#drover(
      ["add", "--target", this.target, "--app", DEMO_APP.name, "--ref", DEMO_APP.ref],
      signal,
    );
    const labels = Object.entries(this.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    await this.#drover(
      [
        "enroll",
        "--api",
        edge.url,
        "--workspace",
        this.workspace,
        "--enroll-token",
        edge.enrollToken,
        ...labels,
      ],
      signal,
    );
  }

  /** Leaves the marker that makes `version`'s health check fail on this device. */
  async markFailing(version: string): Promise<void> {
    await writeFile(join(this.dir, `fail-${version}`), "");
  }

  /** `drover update --health-cmd 'sh bin/check' --json`, summed up. */
  async update(edge: { url: string; trustedRoot: string }, signal?: AbortSignal): Promise<UpdateOutcome> {
    const { code, stdout, stderr } = await this.#run([
      "update",
      "--target",
      this.target,
      "--workspace",
      this.workspace,
      "--api",
      edge.url,
      "--trusted-root",
      edge.trustedRoot,
      "--health-cmd",
      "sh bin/check",
      "--json",
    ], signal);
    let report: UpdateReport;
    try {
      report = JSON.parse(stdout);
    } catch {
      return { kind: "failed", message: `exit ${code}: ${stderr.trim().split("\n").pop() ?? ""}` };
    }
    const app = report.install?.apps?.find((a) => a.name === DEMO_APP.name);
    if (app?.action === "installed") return { kind: "installed", commit: app.to };
    if (app?.action === "health-failed") return { kind: "rolled-back", commit: app.to };
    const error = app?.error ?? report.errors?.[0] ?? report.check?.errors?.[0];
    if (code !== 0 || error) return { kind: "failed", message: error?.message ?? `exit ${code}` };
    return { kind: "unchanged" };
  }

  /** `drover argv`, which must succeed. */
  async #drover(argv: string[], signal?: AbortSignal): Promise<void> {
    const { code, stderr } = await this.#run(argv, signal);
    if (code !== 0) {
      throw new Error(
        `Cannot set up device ${this.index}: drover ${argv[0]} exited ${code}: ${stderr.trim()}`,
      );
    }
  }

  /** `drover argv` in this process, as this device (its environment), output captured. */
  async #run(
    argv: string[],
    signal?: AbortSignal,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: {
        PATH: "/usr/local/bin:/usr/bin:/bin",
        DROVER_DEVICE_TYPE: this.labels["device-type"],
        DROVER_OS_VERSION: "drover-demo-os 1.0",
        DROVER_FLEET_TIMEOUT: "5",
        DROVER_DEMO_DEVICE: this.dir,
      },
      stderrIsTTY: false,
      signal,
    });
    return { code, stdout, stderr };
  }
}
