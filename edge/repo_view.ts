/**
 * A parsed, immutable view of the repository's current metadata, built once per metadata change:
 * targets (with those of delegated roles, as devices resolve them), images by device type, device
 * types, every name and ref's current release.
 * @module
 */
import { DeviceTypes } from "../core/version/mod.ts";
import type { DeviceType } from "../core/version/mod.ts";
import {
  decodeMetadata,
  isDelegatedRoleName,
  parseDelegations,
  releasesDocument,
  resolveTargets,
  targetInfoFromTuf,
  verifyTargetBytes,
} from "../core/trust/mod.ts";
import type { GraphRole, ImageCustom, ReleasesDocument, TargetInfo } from "../core/trust/mod.ts";
import type { Storage } from "./storage/storage.ts";

/** An image version on offer, as `resolveVersion` takes it. */
export interface ImageEntry {
  version: string;
  prerelease: boolean;
  variant: "prod" | "dev";
  recommended: boolean;
  target: TargetInfo;
  [k: string]: unknown;
}

/** The current repository as the routes see it. */
export interface RepoView {
  /** Bytes of `tuf/timestamp.json` this view was built from (undefined: empty repository). */
  timestamp?: Uint8Array;
  timestampExpires?: Date;
  versions: { root: number; targets: number; snapshot: number; timestamp: number };
  /** The signed part of the newest root (for verifying published targets). */
  root?: Record<string, unknown>;
  targets: Map<string, TargetInfo>;
  images: Map<string, ImageEntry[]>;
  deviceTypes: DeviceTypes;
  /**
   * Every name and ref's current release (highest serial), `file` relative to the repository root,
   * rollouts or not (`GET /releases` serves the legacy view: `routes/_legacy_view.ts`).
   */
  releases: ReleasesDocument;
}

/** A short key that changes whenever the view does (for response caches). */
export function viewKey(view: RepoView): string {
  return `${view.versions.snapshot}.${view.versions.timestamp}`;
}

/** An empty repository (no metadata yet). */
export function emptyView(): RepoView {
  return {
    versions: { root: 0, targets: 0, snapshot: 0, timestamp: 0 },
    targets: new Map(),
    images: new Map(),
    deviceTypes: new DeviceTypes([]),
    releases: {},
  };
}

/** Reads timestamp → snapshot → targets (consistent snapshot names) and root from `storage`. */
export async function loadView(storage: Storage, timestamp?: Uint8Array): Promise<RepoView> {
  timestamp ??= await storage.get("tuf/timestamp.json");
  if (!timestamp) return emptyView();
  const ts = decodeMetadata(timestamp).signed as {
    version?: number;
    expires?: string;
    meta?: Record<string, unknown>;
  };
  const snapshotVersion = metaVersion(ts.meta, "snapshot.json");
  const snapshotBytes = await required(storage, `tuf/${snapshotVersion}.snapshot.json`);
  const snapshot = decodeMetadata(snapshotBytes).signed as { meta?: Record<string, unknown> };
  const targetsVersion = metaVersion(snapshot.meta, "targets.json");
  const targetsBytes = await required(storage, `tuf/${targetsVersion}.targets.json`);
  const signedTargets = decodeMetadata(targetsBytes).signed as {
    targets?: Record<string, Record<string, unknown>>;
    delegations?: unknown;
  };
  const rootBytes = await required(storage, "tuf/root.json");
  const root = decodeMetadata(rootBytes).signed as Record<string, unknown>;

  const targets = new Map<string, TargetInfo>();
  const entries = await resolvedEntries(storage, snapshot.meta ?? {}, signedTargets);
  for (const [path, entry] of Object.entries(entries)) {
    try {
      targets.set(path, targetInfoFromTuf(path, entry));
    } catch {
      // unusable entries (no sha256, unsafe path) are not served
    }
  }
  const images = imagesOf(targets);
  return {
    timestamp,
    timestampExpires: typeof ts.expires === "string" ? new Date(ts.expires) : undefined,
    versions: {
      root: Number(root.version) || 0,
      targets: targetsVersion,
      snapshot: snapshotVersion,
      timestamp: Number(ts.version) || 0,
    },
    root,
    targets,
    images,
    deviceTypes: await deviceTypesOf(storage, { targets, images }),
    releases: releasesDocument(targets.values(), { legacyOnly: false }),
  };
}

/**
 * The target entries devices resolve: top-level ones, and with delegations those of the delegated
 * roles snapshot lists, by the TUF search (core/trust `resolveTargets`). The edge reads its own
 * storage; devices verify every role themselves.
 */
async function resolvedEntries(
  storage: Storage,
  meta: Record<string, unknown>,
  top: { targets?: Record<string, Record<string, unknown>>; delegations?: unknown },
): Promise<Record<string, Record<string, unknown>>> {
  if (top.delegations === undefined) return top.targets ?? {};
  const roleOf = (signed: { targets?: unknown; delegations?: unknown }, where: string): GraphRole => ({
    targets: (signed.targets ?? {}) as Record<string, Record<string, unknown>>,
    delegations: parseDelegations(signed, where),
  });
  const graph = new Map<string, GraphRole>([["targets", roleOf(top, "targets metadata")]]);
  for (const file of Object.keys(meta)) {
    const name = file.replace(/\.json$/, "");
    if (file === "targets.json" || !isDelegatedRoleName(name)) continue;
    const bytes = await required(storage, `tuf/${metaVersion(meta, file)}.${file}`);
    graph.set(name, roleOf(decodeMetadata(bytes).signed, `role '${name}'`));
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const [path, found] of resolveTargets(graph)) out[path] = found.entry;
  return out;
}

function metaVersion(meta: Record<string, unknown> | undefined, name: string): number {
  const version = (meta?.[name] as { version?: unknown } | undefined)?.version;
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    throw new TypeError(`Cannot load repository: no valid ${name} version`);
  }
  return version as number;
}

async function required(storage: Storage, path: string): Promise<Uint8Array> {
  const bytes = await storage.get(path);
  if (!bytes) throw new TypeError(`Cannot load repository: ${path} is missing`);
  return bytes;
}

function imagesOf(targets: Map<string, TargetInfo>): Map<string, ImageEntry[]> {
  const images = new Map<string, ImageEntry[]>();
  for (const target of targets.values()) {
    if (target.custom.kind !== "image") continue;
    const c = target.custom as ImageCustom;
    if (typeof c.deviceType !== "string" || typeof c.version !== "string") continue;
    const entry: ImageEntry = {
      version: c.version,
      prerelease: c.prerelease === true,
      variant: c.variant === "dev" ? "dev" : "prod",
      recommended: c.recommended === true,
      target,
    };
    let list = images.get(c.deviceType);
    if (!list) images.set(c.deviceType, list = []);
    list.push(entry);
  }
  return images;
}

async function deviceTypesOf(
  storage: Storage,
  from: { targets: Map<string, TargetInfo>; images: Map<string, ImageEntry[]> },
): Promise<DeviceTypes> {
  const { targets, images } = from;
  let listed: DeviceType[] = [];
  const doc = [...targets.values()].find((t) => t.custom.kind === "device-types");
  if (doc?.hashes.sha256 && doc.length <= 4 * 1024 * 1024) {
    const read = await storage.getBlob(doc.hashes.sha256, { path: doc.url });
    if (read) {
      try {
        const bytes = new Uint8Array(await new Response(read.body).arrayBuffer());
        verifyTargetBytes(doc, bytes);
        const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { deviceTypes?: DeviceType[] };
        if (Array.isArray(parsed.deviceTypes)) listed = parsed.deviceTypes;
      } catch {
        listed = [];
      }
    }
  }
  const known = new Set(listed.map((d) => d?.slug));
  const all = [
    ...listed,
    ...[...images.keys()].filter((s) => !known.has(s)).map((slug) => ({ slug, aliases: [] })),
  ];
  try {
    return new DeviceTypes(all);
  } catch {
    return new DeviceTypes([...images.keys()].map((slug) => ({ slug, aliases: [] })));
  }
}
