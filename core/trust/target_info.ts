/**
 * What signed targets metadata says about one artifact, as Drover uses it: TUF path, length,
 * hashes, Drover's `custom` block, and the URL to fetch it from (hash-prefixed with consistent snapshots).
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
import { parseRollout, type Rollout } from "../rollout/mod.ts";
import { digestHex, TUF_HASH_ALGORITHMS, TUF_HEX_LENGTH, type TufHashAlgorithm } from "./_sha.ts";
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

/** Custom metadata of a device manifest target. */
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

/** Hashes of a target (lower-case hex): at least one of sha256, sha384 and sha512. */
export interface TargetHashes {
  sha256?: string;
  sha384?: string;
  sha512?: string;
  sha1?: string;
}

/** One target as Drover sees it. */
export interface TargetInfo {
  path: string;
  length: number;
  hashes: TargetHashes;
  custom: TargetCustom;
  /** Relative to the repository root: `targets/<dir>/<hash>.<basename>`, or `targets/<path>` when the
   * root says `consistent_snapshot: false`. */
  url: string;
}

/**
 * The digest to verify and key a downloaded target by: its sha256 when listed (Drover's content
 * addressing), else the strongest other hash Drover computes. `TypeError` when none is listed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetDigest } from "./target_info.ts";
 * assert.deepEqual(targetDigest({ sha384: "aa".repeat(48), sha512: "bb".repeat(64) }), { algorithm: "sha512", hex: "bb".repeat(64) });
 * ```
 */
export function targetDigest(hashes: TargetHashes): { algorithm: TufHashAlgorithm; hex: string } {
  for (const algorithm of ["sha256", ...TUF_HASH_ALGORITHMS] as const) {
    const hex = hashes[algorithm];
    if (hex !== undefined) return { algorithm, hex };
  }
  throw new TypeError("Cannot pick a target digest: no sha256, sha384 or sha512");
}

/**
 * Build a {@linkcode TargetInfo} from a TUF target entry (`{ length, hashes, custom }`);
 * `TrustError` when it lists no hash Drover verifies (sha256, sha384, sha512; others are ignored),
 * a malformed one, no valid length, or an app's `rollout` is malformed (core/rollout
 * `parseRollout`): signed but unusable. `consistentSnapshot: false` (the root's) drops the hash
 * prefix from `url`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetInfoFromTuf } from "./target_info.ts";
 * const t = targetInfoFromTuf("a.json", { length: 1, hashes: { sha256: "00".repeat(32) }, custom: { kind: "manifest", id: "a" } });
 * assert.equal(t.custom.kind, "manifest");
 * ```
 */
export function targetInfoFromTuf(
  path: string,
  entry: Record<string, unknown>,
  options: { consistentSnapshot?: boolean } = {},
): TargetInfo {
  const { length, hashes, custom } = entry;
  const h = (typeof hashes === "object" && hashes !== null ? hashes : {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(length) || (length as number) < 0) {
    throw new TrustError(`Cannot use target '${path}': invalid length`);
  }
  const out: TargetHashes = {};
  for (const algorithm of TUF_HASH_ALGORITHMS) {
    const v = h[algorithm];
    if (v === undefined) continue;
    if (typeof v !== "string" || !new RegExp(`^[0-9a-f]{${TUF_HEX_LENGTH[algorithm]}}$`).test(v)) {
      throw new TrustError(`Cannot use target '${path}': malformed ${algorithm}`);
    }
    out[algorithm] = v;
  }
  if (Object.keys(out).length === 0) {
    const listed = Object.keys(h).join(", ") || "none";
    throw new TrustError(
      `Cannot use target '${path}': no hash Drover can verify (listed: ${listed}; supported: sha256, sha384, sha512)`,
    );
  }
  // the file is named after a hash the entry itself lists (computed before custom.extraHashes join in)
  const nameHash = options.consistentSnapshot === false ? undefined : targetDigest(out).hex;
  // sha512/sha1 ride in custom.extraHashes (see targetInfoToTuf); TUF-level ones (foreign repositories) win
  const { extraHashes, ...rest } = (typeof custom === "object" && custom !== null ? custom : {}) as Record<
    string,
    unknown
  >;
  const extra = (typeof extraHashes === "object" && extraHashes !== null ? extraHashes : {}) as Record<
    string,
    unknown
  >;
  for (const algorithm of ["sha512", "sha1"] as const) {
    const v = out[algorithm] ?? h[algorithm] ?? extra[algorithm];
    if (typeof v === "string" && /^[0-9a-f]+$/.test(v)) out[algorithm] = v;
  }
  let url: string;
  try {
    url = targetUrl(path, nameHash);
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
 * A target without sha256 (from a foreign repository) keeps its sha384/sha512 in TUF `hashes`.
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
  const custom: Record<string, unknown> = { ...info.custom };
  delete custom.extraHashes;
  const { sha256, sha384, sha512, sha1 } = info.hashes;
  if (sha256 === undefined) {
    const hashes: Record<string, string> = {};
    if (sha384) hashes.sha384 = sha384;
    if (sha512) hashes.sha512 = sha512;
    if (sha1) custom.extraHashes = { sha1 };
    return { length: info.length, hashes, custom };
  }
  const extra: Record<string, string> = {};
  if (sha512) extra.sha512 = sha512;
  if (sha1) extra.sha1 = sha1;
  if (Object.keys(extra).length > 0) custom.extraHashes = extra;
  return { length: info.length, hashes: { sha256 }, custom };
}

/**
 * Check small, fully read target bytes (device-types, manifests) against their signed length
 * and every hash listed that Drover computes; `IntegrityError` on a mismatch. Artifacts are verified while streaming instead
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
export function verifyTargetBytes(
  target: Pick<TargetInfo, "path" | "length" | "hashes">,
  bytes: Uint8Array,
): void {
  if (bytes.length !== target.length) {
    throw new IntegrityError(
      `Cannot verify ${target.path}: length ${bytes.length}, expected ${target.length}`,
    );
  }
  let checked = 0;
  for (const algorithm of ["sha256", "sha384", "sha512"] as const) {
    const expected = target.hashes[algorithm];
    if (expected === undefined) continue;
    if (digestHex(algorithm, bytes) !== expected) {
      throw new IntegrityError(`Cannot verify ${target.path}: ${algorithm} mismatch`);
    }
    checked++;
  }
  if (checked === 0) throw new IntegrityError(`Cannot verify ${target.path}: no sha256, sha384 or sha512`);
}
