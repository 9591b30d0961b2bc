/**
 * Private: root metadata of a {@linkcode RepositoryWriter}: writing a root version (`tuf/<N>.root.json`
 * and `tuf/root.json`), and key rotation, root v+1 that must verify under both the current root and
 * itself before anything is written.
 */
import { addDays, buildRoot, roleKeysOf, thresholdsOf } from "./_metadata.ts";
import { encodeMetadata, signEnvelope } from "./envelope.ts";
import { checkKeyPair, type KeyPair } from "./key_pair.ts";
import { commitTargets } from "./_targets_publishing.ts";
import { type RoleName, verifyEnvelope } from "./verify_envelope.ts";
import { needKeys, type WriterState } from "./_writer_state.ts";

/** Write the current root as `tuf/<version>.root.json` and `tuf/root.json`. */
export async function putRoot(state: WriterState): Promise<void> {
  const bytes = encodeMetadata(state.root);
  await state.store.put(`tuf/${state.root.signed.version}.root.json`, bytes);
  await state.store.put("tuf/root.json", bytes);
}

/**
 * Replace a key of `options.role` with `key` (the first key at hand for the role, else its only key;
 * the other keys and the thresholds stay): root v+1 signed by the root keys at hand and, when rotating
 * root, the new one too, which must meet the threshold of both the current and the new root
 * (`TrustError` otherwise); then (other roles) targets, snapshot and timestamp are re-signed so the
 * repository verifies under the new root.
 */
export async function rotateRoleKey(
  state: WriterState,
  key: KeyPair,
  options: { role: RoleName },
): Promise<void> {
  const { role } = options;
  await checkKeyPair(key);
  const signers = [...needKeys(state, "root")];
  const current = state.root.signed;
  if (role === "root") signers.push(key);
  const listed = roleKeysOf(current);
  const old = state.keys[role]?.[0]?.keyid ??
    (listed[role].length === 1 ? listed[role][0]!.keyid : undefined);
  if (old === undefined) {
    throw new TypeError(`Cannot rotate ${role} key: no ${role} key at hand to replace`);
  }
  const signed = buildRoot({
    version: current.version + 1,
    expires: addDays(state.clock(), state.days.root),
    keys: { ...listed, [role]: [...listed[role].filter((k) => k.keyid !== old), key] },
    thresholds: thresholdsOf(current),
  });
  const next = await signEnvelope(signed, signers);
  const label = `root v${signed.version}`;
  await verifyEnvelope(next, current, "root", { label: `${label} (by root v${current.version})` });
  await verifyEnvelope(next, signed, "root", { label: `${label} (by itself)` });
  state.root = next;
  state.keys[role] = [key, ...(state.keys[role] ?? []).filter((k) => k.keyid !== old)];
  await putRoot(state);
  if (role !== "root") await commitTargets(state);
}
