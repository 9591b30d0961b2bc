/**
 * What signed targets metadata says about one artifact, as Drover uses it: TUF path, length,
 * hashes, Drover's `custom` block, and the consistent-snapshot URL to fetch it from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetInfoFromTuf } from "./target_info.ts";
 * const info = targetInfoFromTuf("device-types.json", {
 *   length: 2, hashes: { sha256: "ab".repeat(32) }, custom: { kind: "device-types" },
 * });
 * assert.equal(info.url, `targets/${"ab".repeat(32)}.device-types.json`);
 * ```
 * @module
 */
import { IntegrityError, TrustError } from "../errors.ts";
import { isSha256 } from "../names/mod.ts";
import { parseRollout, type Rollout } from "../rollout/mod.ts";
import { digestHex } from "./_sha.ts";
import { targetUrl } from "./target_paths.ts";

/** Custom metadata of an app release target. */
export interface AppCustom {
  kind: "app";
  /** `owner/app` */
  name: string;
  ref: string;
  commit: string;
  /** Higher is newer within one name and ref (assigned by `repo add-app`). */
  serial: number;
  version?: string;
  /** ISO 8601 UTC. */
  updated: string;
  /** Signed permission to install this release over a newer one. */
  allowDowngrade?: boolean;
  /** Staged rollout (core/rollout); absent: every device at once. Checked by {@linkcode targetInfoFromTuf}. */
  rollout?: Rollout;
}

/** Custom metadata of an OS image target. */
export interface ImageCustom {
  kind: "image";
  /** Canonical device-type slug. */
  deviceType: string;
  version: string;
  variant: "prod" | "dev";
  prerelease: boolean;
  recommended?: boolean;
}

/** Custom metadata of a device manifest target (issue 5 fills in). */
export interface ManifestCustom {
  kind: "manifest";
  id: string;
  [k: string]: unknown;
}

/** Custom metadata of the device-types document (`{"deviceTypes":[{slug,name?,aliases:[]}]}`). */
export interface DeviceTypesCustom {
  kind: "device-types";
}

/** Any Drover target's custom metadata. */
export type TargetCustom = AppCustom | ImageCustom | ManifestCustom | DeviceTypesCustom;

/** Hashes of a target (hex). */
export interface TargetHashes {
  sha256: string;
  sha512?: string;
  sha1?: string;
}

/** One target as Drover sees it. */
export interface TargetInfo {
  path: string;
  length: number;
  hashes: TargetHashes;
  custom: TargetCustom;
  /** Relative to the repository root: `targets/<dir>/<sha256>.<basename>`. */
  url: string;
}

/**
 * Build a {@linkcode TargetInfo} from a TUF target entry (`{ length, hashes, custom }`);
 * `TrustError` when it lacks a sha256 or a valid length, or an app's `rollout` is malformed
 * (core/rollout `parseRollout`): signed but unusable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetInfoFromTuf } from "./target_info.ts";
 * const t = targetInfoFromTuf("a.json", { length: 1, hashes: { sha256: "00".repeat(32) }, custom: { kind: "manifest", id: "a" } });
 * assert.equal(t.custom.kind, "manifest");
 * ```
 */
export function targetInfoFromTuf(path: string, entry: Record<string, unknown>): TargetInfo {
  const { length, hashes, custom } = entry;
  const h = (hashes ?? {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(length) || (length as number) < 0) {
    throw new TrustError(`Cannot use target '${path}': invalid length`);
  }
  if (!isSha256(h.sha256)) {
    throw new TrustError(`Cannot use target '${path}': no sha256`);
  }
  // sha512/sha1 ride in custom.extraHashes (see targetInfoToTuf); TUF-level ones (foreign repositories) win
  const { extraHashes, ...rest } = (typeof custom === "object" && custom !== null ? custom : {}) as Record<
    string,
    unknown
  >;
  const extra = (typeof extraHashes === "object" && extraHashes !== null ? extraHashes : {}) as Record<
    string,
    unknown
  >;
  const out: TargetHashes = { sha256: h.sha256 };
  for (const algorithm of ["sha512", "sha1"] as const) {
    const v = h[algorithm] ?? extra[algorithm];
    if (typeof v === "string" && /^[0-9a-f]+$/.test(v)) out[algorithm] = v;
  }
  let url: string;
  try {
    url = targetUrl(path, h.sha256);
  } catch (e) {
    throw new TrustError(`Cannot use target '${path}': unsafe path`, { cause: e });
  }
  if (rest.kind === "app" && Object.hasOwn(rest, "rollout")) {
    // a malformed rollout makes the release unusable rather than widening it to every device
    try {
      rest.rollout = parseRollout(rest.rollout);
    } catch (e) {
      const detail = (e as Error).message.replace(/^Cannot read rollout: /, "");
      throw new TrustError(`Cannot use target '${path}': malformed rollout: ${detail}`, { cause: e });
    }
  }
  const c = typeof custom === "object" && custom !== null
    ? rest as unknown as TargetCustom
    : { kind: "unknown" };
  return { path, length: length as number, hashes: out, custom: c as TargetCustom, url };
}

/**
 * The TUF target entry of a {@linkcode TargetInfo}: `{ length, hashes: { sha256 }, custom }`.
 * Only sha256 goes in TUF `hashes`, because standard clients name the consistent-snapshot file
 * after the first (tuf-js, python-tuf) or any (go-tuf) listed hash; sha512 and sha1 are kept,
 * signed all the same, in `custom.extraHashes` and come back in {@linkcode targetInfoFromTuf}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetInfoToTuf } from "./target_info.ts";
 * const e = targetInfoToTuf({ length: 1, hashes: { sha256: "00".repeat(32), sha1: "11".repeat(20) }, custom: { kind: "device-types" } });
 * assert.ok(Object.keys(e.hashes).join() === "sha256" && e.custom.extraHashes !== undefined);
 * ```
 */
export function targetInfoToTuf(
  info: Pick<TargetInfo, "length" | "hashes" | "custom">,
): { length: number; hashes: Record<string, string>; custom: Record<string, unknown> } {
  const extra: Record<string, string> = {};
  if (info.hashes.sha512) extra.sha512 = info.hashes.sha512;
  if (info.hashes.sha1) extra.sha1 = info.hashes.sha1;
  const custom: Record<string, unknown> = { ...info.custom };
  delete custom.extraHashes;
  if (Object.keys(extra).length > 0) custom.extraHashes = extra;
  return { length: info.length, hashes: { sha256: info.hashes.sha256 }, custom };
}

/**
 * Check small, fully read target bytes (device-types, manifests) against their signed length
 * and hashes; `IntegrityError` on a mismatch. Artifacts are verified while streaming instead
 * (core/verify `VerifyStream`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetInfoFromTuf, verifyTargetBytes } from "./target_info.ts";
 * const t = targetInfoFromTuf("x.json", { length: 3, hashes: { sha256: "00".repeat(32) }, custom: {} });
 * try { verifyTargetBytes(t, new Uint8Array(3)); } catch (e) { assert.equal((e as { code?: string }).code, "E_INTEGRITY"); }
 * ```
 */
export function verifyTargetBytes(target: TargetInfo, bytes: Uint8Array): void {
  if (bytes.length !== target.length) {
    throw new IntegrityError(
      `Cannot verify ${target.path}: length ${bytes.length}, expected ${target.length}`,
    );
  }
  for (const algorithm of ["sha256", "sha512"] as const) {
    const expected = target.hashes[algorithm];
    if (expected && digestHex(algorithm, bytes) !== expected) {
      throw new IntegrityError(`Cannot verify ${target.path}: ${algorithm} mismatch`);
    }
  }
}
