/**
 * The device manifest format (an install manifest, signed) and its validation. The format is documented in
 * `docs/CONTRACTS.md` (section "core/manifest").
 *
 * A manifest file is a signed envelope `{ "signed": Manifest, "signatures": [...] }`, signed like TUF targets
 * metadata (the root's `targets` keys and threshold), so it verifies offline from a USB stick with only the
 * device's trusted root, whatever the state of the repository's timestamp.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManifest } from "./manifest.ts";
 * const m = parseManifest({
 *   type: "drover-manifest", kind: "install", target: "device", id: "base-1", version: "1.0.0",
 *   deviceTypes: ["rpi4"], mode: "trusted", nodes: { primary: [] },
 * });
 * assert.equal(m.id, "base-1");
 * ```
 * @module
 */
import type { ValidationFailure } from "./reasons.ts";
import { isDeviceType, isSegment, isSha256 } from "../names/mod.ts";

/** One artifact a manifest requires, on one or more nodes. */
export interface ManifestArtifact {
  /** Unique id (same namespace as manifest ids): `^[A-Za-z0-9][A-Za-z0-9._+-]*$`. */
  id: string;
  /** Lower-case hex SHA-256 of the artifact bytes (checked in full on install). */
  sha256: string;
  /** Length in bytes. */
  size: number;
  /** Lower-case hex mini-hash (see `mini_hash.ts`), checked when scanning sources. */
  miniHash?: string;
}

/** The signed body of a manifest. */
export interface Manifest {
  type: "drover-manifest";
  kind: "install";
  target: "device";
  id: string;
  version: string;
  /** Id of the parent manifest: this manifest adds to (and overrides) what the parent requires. */
  extends?: string;
  /** Canonical device-type slugs this manifest can be installed on. */
  deviceTypes: string[];
  /** "untrusted" manifests are refused by devices in trusted mode. */
  mode: "trusted" | "untrusted";
  notBefore?: string;
  notAfter?: string;
  /** Artifacts per node of a multi-node device. */
  nodes: Record<string, ManifestArtifact[]>;
  /** Ids of manifests this one revokes: a chain holding one of them is refused. */
  blocked?: string[];
}

/** A manifest as stored and served: the manifest and its signatures (TUF envelope shape). */
export interface SignedManifest {
  signed: Manifest;
  signatures: { keyid: string; sig: string }[];
}

/** Checks the signatures of an envelope; throws (any error) when they do not verify. */
export type ManifestVerifier = (envelope: SignedManifest) => Promise<void>;

/** What a device accepts. */
export interface ManifestPolicy {
  /** Signature check (for instance `verifyEnvelope(env, root, "targets")` from core/trust). */
  verify: ManifestVerifier;
  /** The one "now" dates are checked against (default: the current time). */
  now?: Date;
  /** The device's canonical device type; when absent, device types are not checked. */
  deviceType?: string;
  /** "trusted" (default) refuses manifests in "untrusted" mode. */
  deviceMode?: "trusted" | "untrusted";
  /** Manifest ids the device refuses. */
  blocked?: Iterable<string>;
}

/** The outcome of {@linkcode checkManifest}. */
export type ManifestCheck =
  | { ok: true; manifest: Manifest; envelope: SignedManifest }
  | { ok: false; failure: ValidationFailure; manifest?: Manifest };

/** Largest manifest file accepted (bytes). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(detail: string): never {
  throw new SyntaxError(`Cannot parse manifest: ${detail}`);
}

function parseArtifact(v: unknown, where: string): ManifestArtifact {
  if (!isObject(v)) fail(`${where} is not an object`);
  const { id, sha256, size, miniHash } = v;
  if (!isSegment(id)) fail(`${where}.id is not a valid id`);
  if (!isSha256(sha256)) {
    fail(`${where}.sha256 is not lower-case hex SHA-256`);
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    fail(`${where}.size is not a size`);
  }
  if (miniHash !== undefined && !isSha256(miniHash)) {
    fail(`${where}.miniHash is not lower-case hex`);
  }
  return miniHash === undefined ? { id, sha256, size } : { id, sha256, size, miniHash };
}

/**
 * Checks the structure of a manifest body and returns a clean copy; throws `SyntaxError` naming the first
 * problem. Dates are only checked for being dates here (the time window is the builder's job).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManifest } from "./manifest.ts";
 * try { parseManifest({ type: "nope" }); } catch (e) { assert.ok(e instanceof SyntaxError); }
 * ```
 */
export function parseManifest(value: unknown): Manifest {
  if (!isObject(value)) fail("not a JSON object");
  const v = value;
  if (v.type !== "drover-manifest") fail(`type is not "drover-manifest"`);
  if (v.kind !== "install") fail(`kind is not "install"`);
  if (v.target !== "device") fail(`target is not "device"`);
  if (!isSegment(v.id)) fail("id is not a valid id");
  if (typeof v.version !== "string" || v.version === "") fail("version is missing");
  if (v.extends !== undefined && !isSegment(v.extends)) {
    fail("extends is not a valid id");
  }
  if (!Array.isArray(v.deviceTypes) || v.deviceTypes.length === 0) {
    fail("deviceTypes is not a non-empty list");
  }
  for (const d of v.deviceTypes) if (!isDeviceType(d)) fail("bad device type");
  if (v.mode !== "trusted" && v.mode !== "untrusted") fail(`mode is not "trusted" or "untrusted"`);
  for (const k of ["notBefore", "notAfter"] as const) {
    if (v[k] !== undefined && (typeof v[k] !== "string" || Number.isNaN(Date.parse(v[k] as string)))) {
      fail(`${k} is not an ISO 8601 date`);
    }
  }
  if (!isObject(v.nodes) || Object.keys(v.nodes).length === 0) fail("nodes is not a non-empty object");
  const nodes: Record<string, ManifestArtifact[]> = {};
  const seen = new Map<string, string>();
  for (const [node, list] of Object.entries(v.nodes)) {
    if (!isSegment(node)) fail(`node name '${node}' is not valid`);
    if (!Array.isArray(list)) fail(`nodes.${node} is not a list`);
    const ids = new Set<string>();
    nodes[node] = list.map((a, i) => {
      const art = parseArtifact(a, `nodes.${node}[${i}]`);
      if (ids.has(art.id)) fail(`artifact '${art.id}' is listed twice on node '${node}'`);
      ids.add(art.id);
      const other = seen.get(art.id);
      if (other !== undefined && other !== `${art.sha256}:${art.size}`) {
        fail(`artifact '${art.id}' has different contents on different nodes`);
      }
      seen.set(art.id, `${art.sha256}:${art.size}`);
      return art;
    });
  }
  if (seen.has(v.id)) fail(`artifact id '${v.id}' is the manifest's own id`);
  if (v.blocked !== undefined) {
    if (!Array.isArray(v.blocked)) fail("blocked is not a list");
    for (const b of v.blocked) if (!isSegment(b)) fail("bad blocked id");
  }
  const m: Manifest = {
    type: "drover-manifest",
    kind: "install",
    target: "device",
    id: v.id,
    version: v.version,
    deviceTypes: [...(v.deviceTypes as string[])],
    mode: v.mode,
    nodes,
  };
  if (v.extends !== undefined) m.extends = v.extends as string;
  if (v.notBefore !== undefined) m.notBefore = v.notBefore as string;
  if (v.notAfter !== undefined) m.notAfter = v.notAfter as string;
  if (v.blocked !== undefined) m.blocked = [...(v.blocked as string[])];
  return m;
}

function failure(code: ValidationFailure["code"], message: string): ManifestCheck {
  return { ok: false, failure: { code, message } };
}

/**
 * Parses, verifies and checks one manifest file against a device's policy. Never throws for bad input:
 * the outcome names the first failing check, in this order: NO_MANIFEST_JSON, INVALID_SIGNATURE,
 * NOT_MANIFEST_TYPE, NOT_INSTALL_MANIFEST, NOT_DEVICE_MANIFEST, MALFORMED_MANIFEST, ID_MISMATCH,
 * MANIFEST_UNTRUSTED_MODE, INVALID_DATES, INCOMPATIBLE_DEVICE_TYPE, BLOCKED_MANIFEST.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkManifest } from "./manifest.ts";
 * const r = await checkManifest(new TextEncoder().encode("not json"), { verify: async () => {} });
 * assert.ok(!r.ok && r.failure.code === "NO_MANIFEST_JSON");
 * ```
 */
export async function checkManifest(
  input: Uint8Array | SignedManifest,
  options: ManifestPolicy & { id?: string },
): Promise<ManifestCheck> {
  let doc: unknown = input;
  if (input instanceof Uint8Array) {
    if (input.byteLength > MAX_MANIFEST_BYTES) {
      return failure("NO_MANIFEST_JSON", "manifest file is too large");
    }
    try {
      doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input));
    } catch (e) {
      return failure("NO_MANIFEST_JSON", `not JSON: ${(e as Error).message}`);
    }
  }
  if (!isObject(doc) || !isObject(doc.signed) || !Array.isArray(doc.signatures)) {
    return failure("NO_MANIFEST_JSON", "not a signed manifest ({signed, signatures})");
  }
  const envelope = doc as unknown as SignedManifest;
  try {
    await options.verify(envelope);
  } catch (e) {
    return failure("INVALID_SIGNATURE", `signature refused: ${(e as Error).message}`);
  }
  const raw = envelope.signed as unknown as Record<string, unknown>;
  if (raw.type !== "drover-manifest") {
    return failure("NOT_MANIFEST_TYPE", `type is ${JSON.stringify(raw.type)}`);
  }
  if (raw.kind !== "install") return failure("NOT_INSTALL_MANIFEST", `kind is ${JSON.stringify(raw.kind)}`);
  if (raw.target !== "device") {
    return failure("NOT_DEVICE_MANIFEST", `target is ${JSON.stringify(raw.target)}`);
  }
  let m: Manifest;
  try {
    m = parseManifest(raw);
  } catch (e) {
    const detail = (e as Error).message;
    if (/notBefore|notAfter/.test(detail)) return failure("INVALID_DATES", detail);
    return failure("MALFORMED_MANIFEST", detail);
  }
  const bad = (code: ValidationFailure["code"], message: string): ManifestCheck => ({
    ok: false,
    failure: { code, message },
    manifest: m,
  });
  if (options.id !== undefined && m.id !== options.id) {
    return bad("ID_MISMATCH", `file holds manifest '${m.id}'`);
  }
  if (m.mode === "untrusted" && (options.deviceMode ?? "trusted") === "trusted") {
    return bad(
      "MANIFEST_UNTRUSTED_MODE",
      "an untrusted-mode manifest cannot be installed on a trusted device",
    );
  }
  const now = (options.now ?? new Date()).getTime();
  const nb = m.notBefore === undefined ? -Infinity : Date.parse(m.notBefore);
  const na = m.notAfter === undefined ? Infinity : Date.parse(m.notAfter);
  if (nb > na) return bad("INVALID_DATES", "notBefore is after notAfter");
  if (now < nb) return bad("INVALID_DATES", `not valid before ${m.notBefore}`);
  if (now > na) return bad("INVALID_DATES", `expired at ${m.notAfter}`);
  if (options.deviceType !== undefined && !m.deviceTypes.includes(options.deviceType)) {
    return bad("INCOMPATIBLE_DEVICE_TYPE", `made for ${m.deviceTypes.join(", ")}, not ${options.deviceType}`);
  }
  if (options.blocked !== undefined && new Set(options.blocked).has(m.id)) {
    return bad("BLOCKED_MANIFEST", `manifest '${m.id}' is blocked`);
  }
  return { ok: true, manifest: m, envelope };
}
