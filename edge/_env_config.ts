/**
 * Edge configuration from environment variables or Worker bindings (both entries share it):
 * `DROVER_TOKEN`, `DROVER_PUBLIC_URL`, `DROVER_MAX_UPLOAD_BYTES`, `DROVER_RESOLUTION_TTL_MS`, and the
 * fleet's `DROVER_OPERATOR_TOKEN`, `DROVER_ENROLL_TOKEN`, `DROVER_REPORT_RETENTION_DAYS`,
 * `DROVER_DEVICE_BURST`, `DROVER_DEVICE_RATE_PER_MINUTE`, `DROVER_MAX_PENDING_DEVICES`,
 * `DROVER_ROLLOUT_TIMEOUT_MINUTES`.
 * @module
 */
import type { EdgeConfig } from "./_config.ts";

/** Reads the `DROVER_*` settings from `env` (strings; empty means unset). */
export function configFromEnv(env: Record<string, unknown>): EdgeConfig {
  const text = (name: string) => {
    const v = env[name];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const number = (name: string) => {
    const v = text(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      throw new RangeError(`Cannot configure edge: ${name}='${v}' is not a number`);
    }
    return n;
  };
  /** A token: at least 8 characters (a shorter one is refused, not ignored). */
  const token = (name: string) => {
    const v = text(name);
    if (v !== undefined && v.length < 8) {
      throw new TypeError(`Cannot configure edge: ${name} must be at least 8 characters`);
    }
    return v;
  };
  return {
    token: token("DROVER_TOKEN"),
    publicUrl: text("DROVER_PUBLIC_URL"),
    maxUploadBytes: number("DROVER_MAX_UPLOAD_BYTES"),
    resolutionTtlMs: number("DROVER_RESOLUTION_TTL_MS"),
    operatorToken: token("DROVER_OPERATOR_TOKEN"),
    enrollToken: token("DROVER_ENROLL_TOKEN"),
    reportRetentionDays: number("DROVER_REPORT_RETENTION_DAYS"),
    deviceBurst: number("DROVER_DEVICE_BURST"),
    deviceRatePerMinute: number("DROVER_DEVICE_RATE_PER_MINUTE"),
    maxPendingDevices: number("DROVER_MAX_PENDING_DEVICES"),
    rolloutTimeoutMinutes: number("DROVER_ROLLOUT_TIMEOUT_MINUTES"),
  };
}
