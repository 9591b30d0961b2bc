/**
 * Private: top-level targets of a {@linkcode RepositoryWriter}. A commit signs targets v+1 with the
 * targets keys at hand and publishes it (then snapshot and timestamp), or, below root's threshold,
 * stages it (`_threshold_signing.ts`) until more holders sign it (targets metadata signed elsewhere:
 * `_accept_metadata.ts`).
 */
import { NotFoundError } from "../errors.ts";
import type { Delegations } from "./delegations.ts";
import { addDays, buildTargets } from "./_metadata.ts";
import { encodeMetadata, signEnvelope } from "./envelope.ts";
import { checkKeyPair, type KeyPair } from "./key_pair.ts";
import { pendingEntries } from "./_pending_targets.ts";
import { signSnapshotAndTimestamp } from "./_snapshot_signing.ts";
import {
  keyringOf,
  putStaged,
  removeStaged,
  STAGED_TARGETS_PATH,
  stagedInfo,
  type StagedTargets,
} from "./_threshold_signing.ts";
import type { RoleName } from "./verify_envelope.ts";
import { type Env, needKeys, versionsOf, type WriterState } from "./_writer_state.ts";

/** What a publishing call resolves with: the roles' versions, and what is staged when it staged. */
export type Published = { versions: Record<RoleName, number>; staged?: StagedTargets };

/**
 * Sign targets v+1 of the pending targets (listing `delegations`, by default the current ones) and
 * publish it with snapshot and timestamp; below root's threshold, stage it instead (and call
 * `onStaged`). `TypeError` unless the targets, snapshot and timestamp keys are at hand.
 */
export async function commitTargets(
  state: WriterState,
  delegations: Delegations | undefined = state.targets.signed.delegations,
): Promise<Published> {
  const keys = needKeys(state, "targets");
  needKeys(state, "snapshot");
  needKeys(state, "timestamp");
  const version = state.targets.signed.version + 1;
  const signed = buildTargets({
    version,
    expires: addDays(state.clock(), state.days.targets),
    targets: pendingEntries(state),
  });
  if (delegations) signed.delegations = delegations;
  const env = await signEnvelope(signed, keys);
  const staged = await stagedInfo(env, state.root.signed);
  if (staged.signatures < staged.threshold) {
    // below the threshold: kept out of tuf/ until more holders sign it (signStaged)
    await putStaged(state.store, env);
    state.staged = env;
    state.onStaged?.(staged);
    return { versions: versionsOf(state), staged };
  }
  await publishTargets(state, env);
  return { versions: versionsOf(state) };
}

/**
 * Add signatures by `keys` and by the targets keys at hand to the staged targets metadata; publish it
 * once it meets root's threshold and the snapshot and timestamp keys are at hand, else stage it again.
 * `NotFoundError` without staged metadata, `TypeError` for a key that is not a targets key.
 */
export async function signStagedTargets(state: WriterState, keys: readonly KeyPair[]): Promise<Published> {
  const current = state.staged;
  if (!current) {
    throw new NotFoundError(`Cannot sign: no staged targets metadata (${STAGED_TARGETS_PATH})`);
  }
  const listed = state.root.signed.roles.targets?.keyids ?? [];
  const signers = [...keyringOf({ targets: keys }).targets ?? [], ...state.keys.targets ?? []];
  for (const key of signers) {
    await checkKeyPair(key);
    if (!listed.includes(key.keyid)) {
      throw new TypeError(`Cannot sign: key ${key.keyid} is not a targets key`);
    }
  }
  const fresh = signers.filter((k) => !current.signatures.some((s) => s.keyid === k.keyid));
  const added = fresh.length ? (await signEnvelope(current.signed, fresh)).signatures : [];
  const env = { signed: current.signed, signatures: [...current.signatures, ...added] };
  const staged = await stagedInfo(env, state.root.signed);
  if (
    staged.signatures < staged.threshold || !state.keys.snapshot?.length || !state.keys.timestamp?.length
  ) {
    await putStaged(state.store, env);
    state.staged = env;
    return { versions: versionsOf(state), staged };
  }
  await publishTargets(state, env);
  return { versions: versionsOf(state) };
}

/** Write targets `env` (meeting root's threshold), then snapshot and timestamp; drop staged metadata. */
async function publishTargets(state: WriterState, env: Env<"targets">): Promise<void> {
  const bytes = encodeMetadata(env);
  await state.store.put(`tuf/${env.signed.version}.targets.json`, bytes);
  state.targets = env;
  await signSnapshotAndTimestamp(state, bytes);
  if (state.staged) await removeStaged(state.store);
  state.staged = undefined;
}
