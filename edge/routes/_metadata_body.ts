/**
 * Private: the body of `POST /v1/metadata`, parsed (400 `E_BAD_REQUEST` otherwise): one signed TUF
 * envelope (targets metadata, a delegated role's, or root's), or a metadata set
 * `{ roots?: [root, …], targets?, roles?: { ROLE: role } }` (an object without `signed`) to be
 * accepted at once.
 */
import { decodeMetadata, type Envelope, isDelegatedRoleName } from "../../core/trust/mod.ts";
import { HttpError } from "../http_error.ts";

/** Signed targets metadata (top-level or of a delegated role), its shape checked. */
export interface TargetsEnvelope {
  signed: { _type: "targets"; version: number; targets: Record<string, Record<string, unknown>> };
  signatures: { keyid: string; sig: string }[];
}

/** Signed root metadata, its shape checked (core checks the rest). */
export interface RootEnvelope {
  signed: { _type: "root"; version: number; [k: string]: unknown };
  signatures: { keyid: string; sig: string }[];
}

/** A metadata set: parts to accept at once. */
export interface ParsedSet {
  roots: RootEnvelope[];
  targets?: TargetsEnvelope;
  roles: Record<string, TargetsEnvelope>;
}

/** What a body holds. */
export type MetadataBody = { envelope: Envelope } | { set: ParsedSet };

const SET_KEYS = new Set(["roots", "targets", "roles"]);
const encoder = new TextEncoder();

function bad(detail: string, options?: { cause?: unknown }): HttpError {
  return new HttpError(400, `Cannot publish: ${detail}`, options);
}

/** The envelope of `bytes`, or 400 naming `what`. */
function envelopeOf(bytes: Uint8Array, what: string): Envelope {
  try {
    return decodeMetadata(bytes);
  } catch (error) {
    throw bad(`${what} is not signed TUF metadata JSON`, { cause: error });
  }
}

/** Parses the request body: an envelope, or a set (an object without `signed`). */
export function parseMetadataBody(bytes: Uint8Array): MetadataBody {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw bad("body is not signed TUF metadata JSON", { cause: error });
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || "signed" in doc) {
    return { envelope: envelopeOf(bytes, "body") };
  }
  const parts = doc as Record<string, unknown>;
  const keys = Object.keys(parts);
  if (keys.length === 0 || keys.some((k) => !SET_KEYS.has(k))) {
    throw bad("body is neither signed TUF metadata nor a metadata set { roots, targets, roles }");
  }
  const part = (value: unknown, what: string) => envelopeOf(encoder.encode(JSON.stringify(value)), what);
  const roots = parts.roots ?? [];
  if (!Array.isArray(roots)) throw bad("'roots' is not an array");
  const roles = parts.roles ?? {};
  if (typeof roles !== "object" || roles === null || Array.isArray(roles)) {
    throw bad("'roles' is not an object");
  }
  const set: ParsedSet = {
    roots: roots.map((r, i) => asRoot(part(r, `roots[${i}]`))),
    roles: {},
  };
  if (parts.targets !== undefined) set.targets = asTargets(part(parts.targets, "'targets'"));
  for (const [name, value] of Object.entries(roles)) {
    const shown = name.slice(0, 64);
    if (!isDelegatedRoleName(name)) throw bad(`'roles' names '${shown}', not a delegated role name`);
    set.roles[name] = asTargets(part(value, `role '${name}'`));
  }
  if (set.roots.length === 0 && !set.targets && Object.keys(set.roles).length === 0) {
    throw bad("the metadata set is empty");
  }
  return { set };
}

function version(signed: Record<string, unknown>): number {
  if (!Number.isSafeInteger(signed.version) || (signed.version as number) < 1) throw bad("bad version");
  return signed.version as number;
}

/** `envelope` as targets metadata (top-level or a delegated role's); 400 otherwise. */
export function asTargets(envelope: Envelope): TargetsEnvelope {
  const signed = envelope.signed as Record<string, unknown>;
  if (signed._type !== "targets") throw bad("expected _type 'targets'");
  version(signed);
  const targets = signed.targets;
  if (typeof targets !== "object" || targets === null || Array.isArray(targets)) {
    throw bad("'targets' is not an object");
  }
  return envelope as unknown as TargetsEnvelope;
}

/** `envelope` as root metadata; 400 otherwise. */
export function asRoot(envelope: Envelope): RootEnvelope {
  const signed = envelope.signed as Record<string, unknown>;
  if (signed._type !== "root") throw bad("expected _type 'root'");
  version(signed);
  return envelope as unknown as RootEnvelope;
}
