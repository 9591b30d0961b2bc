/**
 * The enrollment record (`<workspace>/identity/enrollment.json`, written atomically by
 * `drover enroll` once the edge answered): which fleet API the device is registered with, under
 * which device id, its state there and the labels and device type it was enrolled with. A device
 * with no record (or one naming another device id than its key's, after a rotation that did not
 * reach the edge) is not enrolled and makes no fleet requests at all.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { readEnrollment, writeEnrollment } from "./enrollment.ts";
 * const path = join(await mkdtemp(join(tmpdir(), "enr-")), "enrollment.json");
 * const record = {
 *   version: 1 as const, deviceId: "d_" + "1".repeat(32), api: "https://edge.example/",
 *   state: "pending" as const, labels: { site: "north" }, at: new Date().toISOString(),
 * };
 * await writeEnrollment(path, record);
 * assert.deepEqual(await readEnrollment(path), record);
 * await rm(path.replace(/enrollment.json$/, ""), { recursive: true });
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import { DEVICE_ID } from "../../core/fleet/device_identity.ts";
import { parseLabels } from "../../core/fleet/labels.ts";
import { isDeviceType } from "../../core/names/mod.ts";
import { writeFileAtomic } from "../fs/atomic_file.ts";

/** Where a device stands with the fleet. */
export type EnrollmentState = "accepted" | "pending" | "rejected";

/** `enrollment.json`. */
export interface Enrollment {
  version: 1;
  deviceId: string;
  /** The fleet API (http or https), as given to `drover enroll --api`. */
  api: string;
  /** The last state the edge told (enrollment), or `rejected` after a 403. */
  state: EnrollmentState;
  labels: Record<string, string>;
  /** `drover enroll --device-type`, when given. */
  deviceType?: string;
  /** When enrolled (device clock, informative). */
  at: string;
}

const STATES: readonly string[] = ["accepted", "pending", "rejected"];

/**
 * The enrollment record, or `undefined` when there is none. A damaged record throws `TypeError`
 * (`Cannot read enrollment …`).
 */
export async function readEnrollment(path: string): Promise<Enrollment | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
  const fail = (detail: string): never => {
    throw new TypeError(`Cannot read enrollment ${path}: ${detail}; run drover enroll again`);
  };
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text);
  } catch {
    return fail("not JSON");
  }
  if (typeof v !== "object" || v === null || v.version !== 1) fail("unknown version");
  if (typeof v.deviceId !== "string" || !DEVICE_ID.test(v.deviceId)) fail("bad deviceId");
  if (typeof v.api !== "string" || !/^https?:\/\//.test(v.api)) fail("bad api");
  if (typeof v.state !== "string" || !STATES.includes(v.state)) fail("bad state");
  if (v.deviceType !== undefined && !isDeviceType(v.deviceType)) fail("bad deviceType");
  let labels: Record<string, string> = {};
  try {
    labels = parseLabels(v.labels ?? {});
  } catch (error) {
    fail((error as Error).message);
  }
  return {
    version: 1,
    deviceId: v.deviceId as string,
    api: v.api as string,
    state: v.state as EnrollmentState,
    labels,
    ...(v.deviceType === undefined ? {} : { deviceType: v.deviceType as string }),
    at: typeof v.at === "string" ? v.at : "",
  };
}

/** Writes the enrollment record atomically (mode 0600). */
export async function writeEnrollment(path: string, enrollment: Enrollment): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(enrollment, null, 2) + "\n", { mode: 0o600 });
}
