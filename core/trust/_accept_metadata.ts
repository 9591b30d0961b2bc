/**
 * Private: metadata signed elsewhere, accepted by a {@linkcode RepositoryWriter} (the edge's
 * `POST /v1/metadata`): new root versions, top-level targets and delegated roles, one of them or a
 * set of them at once. The repository they make together is checked whole before anything is
 * written, so a set may do what no order of single steps could (a new delegation: top-level targets
 * naming a role and the role's first version; a rotated targets key: root and the targets it signs).
 * Then snapshot and timestamp are re-signed with the online keys at hand.
 */
import { TrustError } from "../errors.ts";
import { assertNotExpired, parseRole } from "./_metadata.ts";
import { loadPending } from "./_pending_targets.ts";
import { putRoot } from "./_root_signing.ts";
import { signSnapshotAndTimestamp } from "./_snapshot_signing.ts";
import { encodeMetadata, type Envelope } from "./envelope.ts";
import { targetInfoFromTuf } from "./target_info.ts";
import { type RoleName, verifyEnvelope } from "./verify_envelope.ts";
import type { Env, WriterState } from "./_writer_state.ts";

/** Metadata signed elsewhere to accept at once; each part optional, at least one given. */
export interface MetadataSet {
  /** Root versions current+1, current+2, … in order, each signed by its predecessor's and its own threshold. */
  roots?: readonly Envelope<unknown>[];
  /** Top-level targets newer than the current version. */
  targets?: Envelope<unknown>;
  /** Delegated roles by name, each newer than its current version (or new, when delegated). */
  roles?: Readonly<Record<string, Envelope<unknown>>>;
}

const ONLINE: readonly RoleName[] = ["snapshot", "timestamp"];

/**
 * Accept `set` (see {@linkcode MetadataSet}): `TrustError` for a signature below a threshold, a
 * version that is not the next root or not newer, expired metadata, a target outside its role's
 * paths or a delegation to a role without valid metadata, in the repository the set makes; `TypeError`
 * when the new root's snapshot or timestamp role cannot be signed with the keys at hand. Nothing is
 * written unless all of it is accepted.
 */
export async function acceptMetadataSet(state: WriterState, set: MetadataSet): Promise<void> {
  const now = state.clock();
  const roots = await checkRoots(state, { roots: set.roots ?? [], now });
  const root = roots.at(-1) ?? state.root;
  const targets = set.targets ? encoded(set.targets) : undefined;
  const top = targets ? parseRole("targets", targets) : state.targets;
  if (targets) {
    await verifyEnvelope(top, root.signed, "targets", { label: "uploaded targets metadata" });
    const current = state.targets.signed.version;
    if (top.signed.version <= current) {
      throw new TrustError(
        `Cannot accept targets v${top.signed.version}: not newer than v${current} (rollback)`,
      );
    }
    assertNotExpired(top.signed, now);
    for (const [path, entry] of Object.entries(top.signed.targets)) targetInfoFromTuf(path, entry);
  } else if (roots.length > 0) {
    await verifyEnvelope(top, root.signed, "targets", {
      label:
        `targets v${top.signed.version} under root v${root.signed.version} (send the targets it signs with it)`,
    });
  }
  const delegated = state.delegated.copy();
  const roles = Object.entries(set.roles ?? {}).map(([name, envelope]) => {
    const bytes = encoded(envelope);
    const env = parseRole("targets", bytes);
    delegated.set(name, env, bytes);
    return { name, env, bytes };
  });
  for (const { name, env } of roles) {
    await delegated.verify(name, env, top.signed);
    const current = state.delegated.get(name)?.env.signed.version ?? 0;
    if (env.signed.version <= current) {
      throw new TrustError(
        `Cannot accept role '${name}' v${env.signed.version}: not newer than v${current} (rollback)`,
      );
    }
    assertNotExpired(env.signed, now);
  }
  await delegated.checkDelegationsOf(top.signed);

  for (const next of roots) {
    state.root = next;
    await putRoot(state);
  }
  if (targets) {
    await state.store.put(`tuf/${top.signed.version}.targets.json`, targets);
    state.targets = top;
    state.staged = undefined; // stale: it named this version
  }
  for (const { name, env, bytes } of roles) {
    await state.store.put(`tuf/${env.signed.version}.${name}.json`, bytes);
  }
  state.delegated = delegated;
  if (targets || roles.some((r) => r.name === state.role?.name)) loadPending(state);
  await signSnapshotAndTimestamp(state, targets);
}

/**
 * The new roots, parsed and checked in order: each the version after its predecessor, meeting the
 * root threshold of its predecessor and of itself; the last unexpired (as clients check the chain) and
 * with snapshot and timestamp roles the online keys at hand can sign.
 */
async function checkRoots(
  state: WriterState,
  options: { roots: readonly Envelope<unknown>[]; now: Date },
): Promise<Env<"root">[]> {
  const out: Env<"root">[] = [];
  let previous = state.root;
  for (const envelope of options.roots) {
    const env = parseRole("root", encoded(envelope));
    const version = env.signed.version;
    const expected = previous.signed.version + 1;
    if (version !== expected) {
      throw new TrustError(`Cannot accept root v${version}: the next root is v${expected}`);
    }
    await verifyEnvelope(env, previous.signed, "root", {
      label: `root v${version} (by root v${previous.signed.version})`,
    });
    await verifyEnvelope(env, env.signed, "root", { label: `root v${version} (by itself)` });
    out.push(env);
    previous = env;
  }
  const last = out.at(-1);
  if (last) {
    assertNotExpired(last.signed, options.now);
    for (const role of ONLINE) {
      const missing = onlineKeysMissing(state, { root: last.signed, role });
      if (missing) throw new TypeError(`Cannot accept root v${last.signed.version}: ${missing}`);
    }
  }
  return out;
}

/**
 * Why the keys at hand for online `role` cannot meet its threshold in `root` (it names other keys),
 * or `undefined` when they can.
 */
export function onlineKeysMissing(
  state: Pick<WriterState, "keys">,
  options: { root: Env<"root">["signed"]; role: RoleName },
): string | undefined {
  const { root, role } = options;
  const listed = root.roles[role];
  const held = (state.keys[role] ?? []).filter((k) => listed?.keyids.includes(k.keyid));
  const threshold = listed?.threshold ?? 1;
  if (held.length >= threshold) return undefined;
  const named = (listed?.keyids ?? []).map((id) => id.slice(0, 16)).join(", ") || "none";
  return `its ${role} role needs ${threshold} of keys ${named}, and ${held.length} of them are at hand ` +
    `to sign ${role} metadata with`;
}

function encoded(envelope: Envelope<unknown>): Uint8Array {
  return encodeMetadata(envelope as Envelope);
}
