/**
 * Private: delegated targets roles of a {@linkcode RepositoryWriter}: delegating paths to a role
 * (top-level targets v+1 and the role's metadata) and committing a role's targets when the writer is
 * opened for it (a role's metadata signed elsewhere: `_accept_metadata.ts`). Each then re-signs
 * snapshot and timestamp; `_delegated_roles.ts` checks a role's metadata against every role
 * delegating to it.
 */
import { type DelegationSpec, withDelegation } from "./_delegated_roles.ts";
import { parseDelegations } from "./delegations.ts";
import { addDays, buildTargets, tufDate } from "./_metadata.ts";
import { encodeMetadata, signEnvelope } from "./envelope.ts";
import { checkKeyPair, type KeyPair } from "./key_pair.ts";
import { pendingEntries } from "./_pending_targets.ts";
import { signSnapshotAndTimestamp } from "./_snapshot_signing.ts";
import { commitTargets, type Published } from "./_targets_publishing.ts";
import { type Env, needKeys, versionsOf, type WriterState } from "./_writer_state.ts";

/**
 * Delegate target paths to role `spec.name` (new, or replacing that role's entry): the role's metadata,
 * v1 without targets or v+1 of its current targets, signed by `signers` (meeting its threshold), then
 * top-level targets v+1 listing it, snapshot and timestamp. `TypeError` when the writer is opened for
 * a delegated role, or without root's threshold of targets keys at hand.
 */
export async function delegateRole(
  state: WriterState,
  spec: DelegationSpec,
  options: { signers: readonly KeyPair[] },
): Promise<Published> {
  if (state.role) throw new TypeError("Cannot delegate: this writer is opened for a delegated role");
  const threshold = state.root.signed.roles.targets?.threshold ?? 1;
  if (needKeys(state, "targets").length < threshold) {
    // a staged targets version would publish the role's delegation later, without its snapshot entry
    throw new TypeError(`Cannot delegate: needs ${threshold} targets keys at hand (root's threshold)`);
  }
  for (const key of options.signers) await checkKeyPair(key);
  const delegations = withDelegation(parseDelegations(state.targets.signed, "targets metadata"), spec);
  const current = state.delegated.get(spec.name)?.env.signed;
  const expires = addDays(state.clock(), state.days.targets);
  const signed = current
    ? { ...current, version: current.version + 1, expires: tufDate(expires) }
    : buildTargets({ version: 1, expires, targets: [] });
  const env = await signEnvelope(signed, options.signers);
  await state.delegated.verifyAgainst(spec.name, env, delegations);
  await putDelegated(state, env, { name: spec.name });
  return await commitTargets(state, delegations);
}

/** Sign delegated role `role.name` v+1 with its pending targets (and its current delegations). */
export async function commitDelegatedRole(
  state: WriterState,
  role: { name: string; keys: KeyPair[] },
): Promise<Published> {
  needKeys(state, "snapshot");
  needKeys(state, "timestamp");
  const current = state.delegated.get(role.name)!.env.signed;
  const signed = buildTargets({
    version: current.version + 1,
    expires: addDays(state.clock(), state.days.targets),
    targets: pendingEntries(state),
  });
  if (current.delegations) signed.delegations = current.delegations;
  const env = await signEnvelope(signed, role.keys);
  await state.delegated.verify(role.name, env, state.targets.signed);
  await putDelegated(state, env, { name: role.name });
  await signSnapshotAndTimestamp(state);
  return { versions: versionsOf(state) };
}

/** Write `env` as `tuf/<version>.<name>.json` and record it as the role's current metadata. */
async function putDelegated(
  state: WriterState,
  env: Env<"targets">,
  options: { name: string },
): Promise<void> {
  const bytes = encodeMetadata(env);
  await state.store.put(`tuf/${env.signed.version}.${options.name}.json`, bytes);
  state.delegated.set(options.name, env, bytes);
}
