/**
 * The result of a successful {@linkcode refreshTrust}: verified targets and helpers to find
 * app releases, OS images and the device-types document among them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TrustedRepository } from "./trusted_repository.ts";
 * const repo = new TrustedRepository({
 *   targets: { "apps/a/b/main/abcdef0.tar.gz": { length: 1, hashes: { sha256: "00".repeat(32) },
 *     custom: { kind: "app", name: "a/b", ref: "main", commit: "abcdef0", serial: 1, updated: "2026-01-01T00:00:00Z" } } },
 *   versions: { root: 1, targets: 2, snapshot: 2, timestamp: 3 },
 *   expires: new Date("2030-01-01T00:00:00Z"),
 * });
 * assert.ok(repo.findApp("a/b", "main")?.url.startsWith("targets/apps/a/b/main/"));
 * ```
 * @module
 */
import { NotFoundError, TrustError } from "../errors.ts";
import {
  type AppCustom,
  type ImageCustom,
  type TargetInfo,
  targetInfoFromTuf,
  verifyTargetBytes,
} from "./target_info.ts";
import { assertDeviceType, isDeviceType } from "../names/mod.ts";
import { DEVICE_TYPES_PATH } from "./target_paths.ts";
import { assertTargetNames } from "./target_names.ts";
import { assertTargetPlacement } from "./target_placement.ts";
import type { RoleName } from "./verify_envelope.ts";

/** A device type as listed in the signed device-types document. */
export interface DeviceTypeEntry {
  slug: string;
  name?: string;
  aliases: string[];
}

/** Verified repository state. */
export class TrustedRepository {
  /** Every usable target by TUF path. Left out: foreign entries without a sha256, sha384 or sha512, or
   * with an unsafe path. App or image entries
   * whose name, ref, commit, serial, device type, version, variant or path is malformed (those name
   * directories and files on devices: `assertTargetNames`; an app name too long for them included), or whose app rollout is malformed (core/rollout), make the constructor throw
   * a `TrustError`: nothing of such metadata is used. */
  readonly targets: Map<string, TargetInfo>;
  /** Versions of the trusted metadata. */
  readonly versions: Readonly<Record<RoleName, number>>;
  /** The earliest expiry among the trusted metadata. */
  readonly expires: Date;
  /** The trusted root's signed part (keys and roles). */
  readonly root: Readonly<Record<string, unknown>> | undefined;
  /** Versions of the trusted delegated targets roles, by role name. */
  readonly delegatedVersions: Readonly<Record<string, number>>;
  #signers: ReadonlyMap<string, string>;

  constructor(
    init: {
      /** Target entries by path; with delegations, those the spec's search resolved (core/trust/target_search.ts). */
      targets: Record<string, Record<string, unknown>>;
      versions: Record<RoleName, number>;
      expires: Date;
      root?: Record<string, unknown>;
      /** Paths whose entry a delegated role signed, and that role. Such a Drover entry must also sit at
       * the path its custom names (`assertTargetPlacement`), else it is unsafe. */
      signers?: ReadonlyMap<string, string>;
      delegatedVersions?: Record<string, number>;
      /** The root's `consistent_snapshot`: false fetches targets without a hash prefix (default true). */
      consistentSnapshot?: boolean;
    },
  ) {
    this.targets = new Map();
    this.#signers = new Map(init.signers ?? []);
    for (const [path, entry] of Object.entries(init.targets)) {
      const signer = this.#signers.get(path);
      const what = signer === undefined ? "targets metadata" : `delegated role '${signer}'`;
      let info: TargetInfo;
      try {
        info = targetInfoFromTuf(path, entry, { consistentSnapshot: init.consistentSnapshot !== false });
      } catch (error) {
        // a foreign target Drover cannot use (no sha256, sha384 or sha512; an unsafe path): not offered
        if (!isDroverKind(entry)) continue;
        throw new TrustError(`Cannot trust ${what}: ${(error as Error).message}`, { cause: error });
      }
      try {
        assertTargetNames(info.custom as unknown as Record<string, unknown>);
        if (signer !== undefined) {
          assertTargetPlacement(path, info.custom as unknown as Record<string, unknown>);
        }
      } catch (error) {
        // A Drover entry whose fields would name a path on devices, yet are unsafe: the signer is broken
        // or compromised, so nothing of this metadata is used (rather than silently skipping one entry).
        throw new TrustError(
          `Cannot trust ${what}: signed entry '${path}' is unsafe (${(error as Error).message})`,
          { cause: error },
        );
      }
      this.targets.set(path, info);
    }
    this.versions = Object.freeze({ ...init.versions });
    this.expires = init.expires;
    this.root = init.root;
    this.delegatedVersions = Object.freeze({ ...init.delegatedVersions });
  }

  /**
   * The role whose entry for `path` is trusted: `"targets"` or a delegated role's name.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TrustedRepository } from "./trusted_repository.ts";
   * const repo = new TrustedRepository({ targets: {}, versions: { root: 1, targets: 1, snapshot: 1, timestamp: 1 }, expires: new Date() });
   * assert.equal(repo.signerOf("device-types.json"), "targets");
   * ```
   */
  signerOf(path: string): string {
    return this.#signers.get(path) ?? "targets";
  }

  /**
   * The release of app `name` on `ref` with the highest serial, if any.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TrustedRepository } from "./trusted_repository.ts";
   * const repo = new TrustedRepository({ targets: {}, versions: { root: 1, targets: 1, snapshot: 1, timestamp: 1 }, expires: new Date() });
   * assert.equal(repo.findApp("a/b", "main"), undefined);
   * ```
   */
  findApp(name: string, ref: string): TargetInfo | undefined {
    let best: TargetInfo | undefined;
    for (const t of this.targets.values()) {
      const c = t.custom as Partial<AppCustom>;
      if (c.kind !== "app" || c.name !== name || c.ref !== ref || !Number.isSafeInteger(c.serial)) continue;
      if (!best || (c.serial as number) > (best.custom as AppCustom).serial) best = t;
    }
    return best;
  }

  /**
   * All app release targets (every name, ref and serial).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TrustedRepository } from "./trusted_repository.ts";
   * const repo = new TrustedRepository({ targets: {}, versions: { root: 1, targets: 1, snapshot: 1, timestamp: 1 }, expires: new Date() });
   * assert.equal(repo.apps().length, 0);
   * ```
   */
  apps(): TargetInfo[] {
    return [...this.targets.values()].filter((t) => t.custom.kind === "app");
  }

  /**
   * The image targets of a canonical device-type slug (resolve aliases first with the
   * device-types document), in target-path order; pick one with core/version `resolveVersion`
   * over `images.map((t) => ({ ...t.custom, target: t }))`.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TrustedRepository } from "./trusted_repository.ts";
   * const repo = new TrustedRepository({ targets: {}, versions: { root: 1, targets: 1, snapshot: 1, timestamp: 1 }, expires: new Date() });
   * assert.equal(repo.images("rpi4").length, 0);
   * ```
   */
  images(deviceType: string): TargetInfo[] {
    return [...this.targets.values()]
      .filter((t) => t.custom.kind === "image" && (t.custom as ImageCustom).deviceType === deviceType)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * The target of the device-types document; fetch its `url` (at most `length` bytes) and pass
   * the bytes to {@linkcode TrustedRepository.deviceTypes}. `NotFoundError` when the
   * repository has none.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TrustedRepository } from "./trusted_repository.ts";
   * const repo = new TrustedRepository({ targets: {}, versions: { root: 1, targets: 1, snapshot: 1, timestamp: 1 }, expires: new Date() });
   * try { repo.deviceTypesTarget(); } catch (e) { assert.equal((e as { code?: string }).code, "E_NOT_FOUND"); }
   * ```
   */
  deviceTypesTarget(): TargetInfo {
    const t = this.targets.get(DEVICE_TYPES_PATH);
    if (!t) {
      throw new NotFoundError("Cannot list device types: the repository has no device-types.json target");
    }
    return t;
  }

  /**
   * Verify (length and hashes) and parse the fetched device-types document.
   * `IntegrityError` on mismatch, `SyntaxError`/`TypeError` on a malformed document.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TrustedRepository } from "./trusted_repository.ts";
   * const repo = new TrustedRepository({ targets: {}, versions: { root: 1, targets: 1, snapshot: 1, timestamp: 1 }, expires: new Date() });
   * try { repo.deviceTypes(new Uint8Array()); } catch (e) { assert.equal((e as { code?: string }).code, "E_NOT_FOUND"); }
   * ```
   */
  deviceTypes(bytes: Uint8Array): DeviceTypeEntry[] {
    verifyTargetBytes(this.deviceTypesTarget(), bytes);
    return parseDeviceTypesDocument(bytes);
  }

  /**
   * Verify small, fully read target bytes against target `path`; `NotFoundError` when no such
   * target, `IntegrityError` on mismatch.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TrustedRepository } from "./trusted_repository.ts";
   * const repo = new TrustedRepository({ targets: {}, versions: { root: 1, targets: 1, snapshot: 1, timestamp: 1 }, expires: new Date() });
   * try { repo.verifyTarget("manifests/x.json", new Uint8Array()); } catch (e) { assert.equal((e as { code?: string }).code, "E_NOT_FOUND"); }
   * ```
   */
  verifyTarget(path: string, bytes: Uint8Array): TargetInfo {
    const t = this.targets.get(path);
    if (!t) throw new NotFoundError(`Cannot verify ${path}: not a target of the repository`);
    verifyTargetBytes(t, bytes);
    return t;
  }
}

const DROVER_KINDS = new Set(["app", "image", "manifest", "device-types"]);

function isDroverKind(entry: Record<string, unknown>): boolean {
  const custom = entry.custom as Record<string, unknown> | undefined;
  return typeof custom === "object" && custom !== null && DROVER_KINDS.has(custom.kind as string);
}

/**
 * Parse a device-types document `{"deviceTypes":[{slug,name?,aliases?}]}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDeviceTypesDocument } from "./trusted_repository.ts";
 * const list = parseDeviceTypesDocument(new TextEncoder().encode('{"deviceTypes":[{"slug":"rpi4"}]}'));
 * assert.ok(list[0]?.slug === "rpi4" && list[0].aliases.length === 0);
 * ```
 */
export function parseDeviceTypesDocument(bytes: Uint8Array): DeviceTypeEntry[] {
  const doc = JSON.parse(new TextDecoder().decode(bytes)) as { deviceTypes?: unknown };
  if (!Array.isArray(doc?.deviceTypes)) {
    throw new TypeError("Cannot parse device types: no deviceTypes array");
  }
  return doc.deviceTypes.map((d: Record<string, unknown>) => {
    if (typeof d?.slug !== "string") throw new TypeError("Cannot parse device types: an entry has no slug");
    assertDeviceType(d.slug, { what: "device type slug" });
    const aliases = Array.isArray(d.aliases) ? d.aliases.filter(isDeviceType) : [];
    const out: DeviceTypeEntry = { slug: d.slug, aliases };
    if (typeof d.name === "string") out.name = d.name;
    return out;
  });
}
