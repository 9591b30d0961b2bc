/**
 * Edge configuration: what `createApp` accepts and the defaults it fills in.
 * @module
 */

/** Options of the edge app; every field has a default. */
export interface EdgeConfig {
  /** Bearer token for `PUT /v1/targets/…` and `POST /v1/metadata`; publishing is refused without one. */
  token?: string;
  /** Bearer token of the operator's fleet API (`/v1/fleet/…`); default: {@linkcode EdgeConfig.token}. */
  operatorToken?: string;
  /** Enrolment token: a device enrolling with it is accepted at once (else pending). */
  enrollToken?: string;
  /** Report events received longer ago than this are pruned (default 90 days). */
  reportRetentionDays?: number;
  /** A device that started a rollout's install and sent no outcome this long has timed out (default 60). */
  rolloutTimeoutMinutes?: number;
  /** Requests a device may send at once before it is rate limited (default 30). */
  deviceBurst?: number;
  /** Requests per minute a device may keep sending (default 20). */
  deviceRatePerMinute?: number;
  /** New devices enrolling without a token are refused (429) while this many are pending (default 10000). */
  maxPendingDevices?: number;
  /** Public base URL (`https://updates.example.com`) used for absolute links; default: the request's origin. */
  publicUrl?: string;
  /** Largest artifact accepted by `PUT /v1/targets/<sha256>` (default 8 GiB). */
  maxUploadBytes?: number;
  /** Largest metadata document accepted by `POST /v1/metadata` (default 16 MiB). */
  maxMetadataBytes?: number;
  /** How long an image resolution is reused (default 60 s; a publish clears it at once). */
  resolutionTtlMs?: number;
  /** How often `tuf/timestamp.json` is re-read to notice changes made by others (default 5 s). */
  metadataTtlMs?: number;
  /** `max-age` of image redirects, `/releases` and `timestamp.json` (default 60 s). */
  shortMaxAge?: number;
  /** Renew the timestamp when it expires within this margin (default 12 h). */
  renewMarginMs?: number;
  /**
   * Serve cached responses as clones of one `Response` (faster on Deno; default false because
   * workerd does not allow a body created in one request to be read in another).
   */
  reuseResponses?: boolean;
  /** Where internal errors are reported (default `console.error`). */
  log?: (line: string) => void;
  /** Milliseconds since the epoch (tests move time; default `Date.now`). */
  clock?: () => number;
}

/** {@linkcode EdgeConfig} with defaults applied. */
export type ResolvedConfig =
  & Required<Omit<EdgeConfig, "token" | "publicUrl" | "operatorToken" | "enrollToken">>
  & {
    token?: string;
    publicUrl?: string;
    /** The operator token, or the publish token when none is set. */
    operatorToken?: string;
    enrollToken?: string;
  };

const tokenOf = (name: "token" | "operatorToken" | "enrollToken", value: unknown): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length < 8) {
    throw new TypeError(`Cannot configure edge: ${name} must be a string of at least 8 characters`);
  }
  return value;
};

/** Applies defaults and checks values (`TypeError`/`RangeError`). */
export function resolveConfig(config: EdgeConfig = {}): ResolvedConfig {
  const positive = (name: keyof EdgeConfig, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(`Cannot configure edge: ${name} must be a non-negative number`);
    }
    return v;
  };
  const token = tokenOf("token", config.token);
  let publicUrl: string | undefined;
  if (config.publicUrl !== undefined) {
    const url = new URL(config.publicUrl);
    publicUrl = url.origin + url.pathname.replace(/\/+$/, "");
  }
  return {
    token,
    publicUrl,
    operatorToken: tokenOf("operatorToken", config.operatorToken) ?? token,
    enrollToken: tokenOf("enrollToken", config.enrollToken),
    reportRetentionDays: positive("reportRetentionDays", config.reportRetentionDays, 90),
    rolloutTimeoutMinutes: Math.max(
      1 / 60,
      positive("rolloutTimeoutMinutes", config.rolloutTimeoutMinutes, 60),
    ),
    deviceBurst: Math.max(1, positive("deviceBurst", config.deviceBurst, 30)),
    deviceRatePerMinute: positive("deviceRatePerMinute", config.deviceRatePerMinute, 20),
    maxPendingDevices: positive("maxPendingDevices", config.maxPendingDevices, 10_000),
    maxUploadBytes: positive("maxUploadBytes", config.maxUploadBytes, 8 * 1024 ** 3),
    maxMetadataBytes: positive("maxMetadataBytes", config.maxMetadataBytes, 16 * 1024 ** 2),
    resolutionTtlMs: positive("resolutionTtlMs", config.resolutionTtlMs, 60_000),
    metadataTtlMs: positive("metadataTtlMs", config.metadataTtlMs, 5_000),
    shortMaxAge: positive("shortMaxAge", config.shortMaxAge, 60),
    renewMarginMs: positive("renewMarginMs", config.renewMarginMs, 12 * 3600_000),
    reuseResponses: config.reuseResponses === true,
    log: config.log ?? ((line) => console.error(line)),
    clock: config.clock ?? Date.now,
  };
}
