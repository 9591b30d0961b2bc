/**
 * Private: how a {@linkcode RepositoryWriter} gets its state: a new repository (root v1 and v1 of
 * the other roles), or an existing one read and checked (`_load_repository.ts`) with the keys at hand.
 */
import { UnsupportedError } from "../errors.ts";
import { DelegatedRoles } from "./_delegated_roles.ts";
import { loadRepository } from "./_load_repository.ts";
import { addDays, buildRoot, buildTargets } from "./_metadata.ts";
import { signEnvelope } from "./envelope.ts";
import { checkKeyPair, type KeyPair } from "./key_pair.ts";
import { loadPending } from "./_pending_targets.ts";
import { putRoot } from "./_root_signing.ts";
import { commitTargets } from "./_targets_publishing.ts";
import { readStaged } from "./_threshold_signing.ts";
import type { RoleName } from "./verify_envelope.ts";
import type { WriterState } from "./_writer_state.ts";

const ROLES: readonly RoleName[] = ["root", "targets", "snapshot", "timestamp"];

/**
 * Create a new repository in `state.store` with `state.keys` (at least one per role, meeting
 * `thresholds`, default 1 each): root v1, then empty targets, snapshot and timestamp v1. `TypeError`/
 * `RangeError` for missing keys or a bad threshold, `UnsupportedError` when the store already holds
 * a repository.
 */
export async function initRepository(
  state: WriterState,
  options: { thresholds?: Partial<Record<RoleName, number>> },
): Promise<void> {
  const ring = state.keys;
  for (const role of ROLES) {
    const n = ring[role]?.length ?? 0;
    const threshold = options.thresholds?.[role] ?? 1;
    if (n === 0) throw new TypeError(`Cannot init repository: no ${role} key`);
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > n) {
      throw new RangeError(`Cannot init repository: ${role} threshold ${threshold} with ${n} key(s)`);
    }
    for (const key of ring[role]!) await checkKeyPair(key);
  }
  const { store } = state;
  if (await store.get("tuf/1.root.json") || await store.get("tuf/root.json")) {
    throw new UnsupportedError("Cannot init repository: it already has tuf/1.root.json");
  }
  const now = state.clock();
  const byRole = ring as Record<RoleName, KeyPair[]>;
  const expires = addDays(now, state.days.root);
  const signed = buildRoot({ version: 1, expires, keys: byRole, thresholds: options.thresholds });
  state.root = await signEnvelope(signed, byRole.root);
  await putRoot(state);
  state.targets = { signed: buildTargets({ version: 0, expires: now, targets: [] }), signatures: [] };
  await commitTargets(state);
}

/**
 * Read the repository in `state.store` (the newest root and the chain it verifies), check that every
 * key at hand is one root lists for its role (`TypeError` otherwise) and, opened for a delegated
 * role, one of that role's; then load the delegated roles, staged targets and the pending targets.
 */
export async function openRepository(state: WriterState): Promise<void> {
  const loaded = await loadRepository(state.store);
  state.root = loaded.root;
  state.timestamp = loaded.timestamp;
  state.snapshot = loaded.snapshot;
  state.snapshotBytes = loaded.snapshotBytes;
  state.targets = loaded.targets;
  for (const role of ROLES) {
    for (const key of state.keys[role] ?? []) {
      await checkKeyPair(key);
      if (!state.root.signed.roles[role]?.keyids.includes(key.keyid)) {
        throw new TypeError(
          `Cannot open repository: key ${key.keyid} is not a ${role} key of root v${state.root.signed.version}`,
        );
      }
    }
  }
  state.delegated = await DelegatedRoles.load(state.store, state.snapshot.signed, state.targets.signed);
  if (state.role) await state.delegated.checkKeys(state.role.name, state.role.keys, state.targets.signed);
  state.staged = await readStaged(state.store, state.targets.signed.version);
  loadPending(state);
}
