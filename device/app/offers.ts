/**
 * What a repository offers for an installed app, in one shape whatever the source: TUF-verified
 * targets ({@linkcode openTufOffers}) or, with `--insecure-legacy`, an unsigned radiodan
 * releases document (`device/app/legacy_offers.ts`). TUF offers list every signed release of an
 * app and ref (`releases`, newest first, each with its signed rollout) and the signed time bounds
 * a rollout decision's clock is held to (`timeBounds`).
 *
 * @example
 * ```ts ignore
 * import { openTufOffers } from "./offers.ts";
 * const offers = await openTufOffers(new URL("http://127.0.0.1:8787/"), "/var/lib/drover/tuf", {});
 * console.log(offers.find("acme/radio", "main")?.commit);
 * ```
 * @module
 */
import { type AppCustom, targetDigest, type TargetInfo } from "../../core/trust/mod.ts";
import type { Rollout } from "../../core/rollout/mod.ts";
import type { Expected, FetchPolicy } from "../net/fetch.ts";
import { openRepository } from "../net/trust_store.ts";
import { baseUrl, joinUrl } from "../../core/url/mod.ts";
import { isCommit, isSha1, isSha256 } from "../../core/names/mod.ts";
import { parseDeltaLink } from "../../core/delta/mod.ts";
import { targetUrl } from "../../core/trust/mod.ts";
import type { DeltaSource } from "../delta/delta_download.ts";

/** A release on offer for one app name and ref. */
export interface Offer {
  name: string;
  ref: string;
  commit: string;
  serial?: number;
  updated?: string;
  version?: string;
  /** Only ever true from signed metadata. */
  allowDowngrade?: boolean;
  /** Where to download it. */
  url: URL;
  expected: Expected;
  /** Blob key in `<workspace>/downloads/`: the sha256, or `sha1-<sha1>` (legacy without sha256). */
  key: string;
  /** TUF target path, or the legacy URL. */
  origin: string;
  /** The signed staged rollout (TUF only); absent: every device at once. */
  rollout?: Rollout;
  /** Where the release's chunked form is (TUF only, from the signed `custom.delta`). */
  delta?: DeltaSource;
}

/** A source of offers. */
export interface Offers {
  mode: "tuf" | "insecure-legacy";
  /** The newest release of `name` on `ref`. */
  find(name: string, ref: string): Offer | undefined;
  /** Every release of `name` on `ref`, newest (highest serial) first; absent: `find`'s alone. */
  releases?(name: string, ref: string): Offer[];
  /**
   * Signed times a rollout decision's clock is held to (core/rollout `effectiveNow`): the earliest
   * expiry of the trusted metadata, and the newest signed publication time (known to have passed).
   */
  timeBounds?: { timestampExpires: Date; notBefore?: Date };
}

/**
 * The blob key for remote digests (validated, so it is safe as a file name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blobKey } from "./offers.ts";
 * assert.ok(blobKey({ sha1: "0e8ff998e905a2cfa5a4d15afe68622e3db24b72" }).startsWith("sha1-"));
 * assert.equal(blobKey({ sha512: "ab".repeat(64) }), `sha512-${"ab".repeat(64)}`);
 * ```
 */
export function blobKey(
  hashes: { sha256?: string; sha1?: string; sha384?: string; sha512?: string },
): string {
  if (hashes.sha256 !== undefined) {
    if (!isSha256(hashes.sha256)) throw new TypeError("Cannot use sha256: not 64 lower-case hex digits");
    return hashes.sha256;
  }
  // a TUF target without sha256: keyed by the digest it is verified with
  for (const [algorithm, digits] of [["sha512", 128], ["sha384", 96]] as const) {
    const hex = hashes[algorithm];
    if (hex === undefined) continue;
    if (!new RegExp(`^[0-9a-f]{${digits}}$`).test(hex)) {
      throw new TypeError(`Cannot use ${algorithm}: not ${digits} lower-case hex digits`);
    }
    return `${algorithm}-${hex}`;
  }
  if (!isSha1(hashes.sha1)) throw new TypeError("Cannot use sha1: not 40 lower-case hex digits");
  return `sha1-${hashes.sha1}`;
}

/**
 * Whether `key` has the form of a {@linkcode blobKey}: `<sha256>`, `sha512-<hex>`, `sha384-<hex>` or
 * `sha1-<hex>`, lower-case hex of the digest's length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isBlobKey } from "./offers.ts";
 * assert.ok(isBlobKey(`sha384-${"0".repeat(96)}`));
 * assert.ok(!isBlobKey(`sha384-${"0".repeat(64)}`));
 * ```
 */
export function isBlobKey(key: string): boolean {
  return /^(?:[0-9a-f]{64}|sha512-[0-9a-f]{128}|sha384-[0-9a-f]{96}|sha1-[0-9a-f]{40})$/.test(key);
}

/**
 * Refreshes TUF trust from `api` (metadata kept in `tufDir`) and offers its app targets.
 * `TrustError` without a trusted root or when the metadata does not verify.
 */
export async function openTufOffers(
  api: URL,
  tufDir: string,
  options: FetchPolicy & { trustedRoot?: string; now?: Date },
): Promise<Offers> {
  const repo = await openRepository(api, tufDir, options);
  const base = baseUrl(api);
  const offerOf = (info: TargetInfo): Offer | undefined => {
    const c = info.custom as AppCustom;
    if (!isCommit(c.commit)) return undefined;
    const url = joinUrl(base, info.url);
    if (!url.href.startsWith(base.href) || info.url.split("/").some((s) => s === ".." || s === ".")) {
      return undefined;
    }
    // sha256 when listed (Drover's), else the strongest hash the signed entry lists
    const digest = targetDigest(info.hashes);
    const expected: Expected = { length: info.length, [digest.algorithm]: digest.hex };
    const offer: Offer = {
      name: c.name,
      ref: c.ref,
      commit: c.commit,
      serial: c.serial,
      updated: c.updated,
      version: c.version,
      allowDowngrade: c.allowDowngrade === true,
      url,
      expected,
      key: blobKey(expected),
      origin: info.path,
    };
    if (c.rollout) offer.rollout = c.rollout;
    const delta = deltaOf((c as { delta?: unknown }).delta, base);
    if (delta) offer.delta = delta;
    return offer;
  };
  const apps = repo.apps();
  let published = -Infinity;
  for (const info of apps) {
    const c = info.custom as AppCustom;
    for (const t of [c.updated, c.rollout?.publishedAt]) {
      const ms = typeof t === "string" ? Date.parse(t) : NaN;
      if (Number.isFinite(ms)) published = Math.max(published, ms);
    }
  }
  return {
    mode: "tuf",
    find(name, ref) {
      const info = repo.findApp(name, ref);
      return info ? offerOf(info) : undefined;
    },
    releases(name, ref) {
      return apps
        .filter((t) => {
          const c = t.custom as AppCustom;
          return c.name === name && c.ref === ref && Number.isSafeInteger(c.serial);
        })
        .sort((a, b) => (b.custom as AppCustom).serial - (a.custom as AppCustom).serial)
        .flatMap((t) => offerOf(t) ?? []);
    },
    timeBounds: {
      timestampExpires: repo.expires,
      ...(Number.isFinite(published) ? { notBefore: new Date(published) } : {}),
    },
  };
}

/** The chunked form a release links to, or `undefined` (none, or malformed: the full artifact serves). */
function deltaOf(value: unknown, base: URL): DeltaSource | undefined {
  if (value === undefined) return undefined;
  try {
    const link = parseDeltaLink(value);
    return {
      link,
      index: joinUrl(base, targetUrl(link.index, link.indexSha256)),
      pack: joinUrl(base, targetUrl(link.pack, link.packSha256)),
    };
  } catch {
    return undefined;
  }
}
