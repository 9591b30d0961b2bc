/**
 * Private: the online roles of a {@linkcode RepositoryWriter}. After every change of targets (top-level
 * or delegated) snapshot v+1 lists them, timestamp v+1 publishes the lot, and then `releases.json` (the
 * legacy view, served as a static file) is rewritten, so a legacy client never sees a release TUF
 * clients cannot (a failed timestamp write leaves it as it was); renewal re-signs them before they
 * expire and rewrites `releases.json` too: it offers legacy clients a release only once its signed
 * rollout is at 100% at the writer's clock, so a cron `repo timestamp` hands them a staged release
 * when its rollout got there.
 */
import { addDays, buildSnapshot, buildTimestamp, type MetaRef, metaRef } from "./_metadata.ts";
import { encodeMetadata, signEnvelope } from "./envelope.ts";
import { releasesDocument } from "./releases_document.ts";
import { needKeys, pastHalfLife, type WriterState } from "./_writer_state.ts";

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + "\n");

/**
 * Snapshot v+1 (targets.json of `targetsBytes`, else as it is; every delegated role), timestamp v+1,
 * then releases.json (the targets devices resolve).
 */
export async function signSnapshotAndTimestamp(state: WriterState, targetsBytes?: Uint8Array): Promise<void> {
  const ref = targetsBytes
    ? metaRef(state.targets.signed.version, targetsBytes)
    : state.snapshot.signed.meta["targets.json"]!;
  const legacy = legacyDocument(state);
  await putSnapshot(state, ref);
  await putTimestamp(state, state.snapshotBytes);
  await state.store.put("releases.json", legacy);
}

/**
 * Timestamp v+1 with a fresh expiry, after snapshot v+1 over the same targets when snapshot is past
 * half its lifetime and its key is at hand; then releases.json (a rollout may have reached 100%).
 */
export async function renewSnapshotAndTimestamp(state: WriterState): Promise<void> {
  const legacy = legacyDocument(state);
  if (state.keys.snapshot && pastHalfLife(state, "snapshot")) {
    const ref = state.snapshot.signed.meta["targets.json"];
    if (!ref) throw new TypeError("Cannot renew snapshot: it has no targets.json entry");
    await putSnapshot(state, ref);
  }
  await putTimestamp(state, state.snapshotBytes);
  await state.store.put("releases.json", legacy);
}

/** releases.json of the targets devices resolve, rollouts read at the writer's clock. */
function legacyDocument(state: WriterState): Uint8Array {
  const resolved = state.delegated.resolved(state.targets.signed);
  return json(releasesDocument(resolved.values(), { now: state.clock() }));
}

async function putSnapshot(state: WriterState, targets: MetaRef): Promise<void> {
  const version = (state.snapshot?.signed.version ?? 0) + 1;
  const expires = addDays(state.clock(), state.days.snapshot);
  const signed = buildSnapshot({ version, expires, targets, delegated: state.delegated.refs() });
  state.snapshot = await signEnvelope(signed, needKeys(state, "snapshot"));
  state.snapshotBytes = encodeMetadata(state.snapshot);
  await state.store.put(`tuf/${version}.snapshot.json`, state.snapshotBytes);
}

async function putTimestamp(state: WriterState, snapshotBytes: Uint8Array): Promise<void> {
  const signed = buildTimestamp({
    version: (state.timestamp?.signed.version ?? 0) + 1,
    expires: addDays(state.clock(), state.days.timestamp),
    snapshot: metaRef(state.snapshot.signed.version, snapshotBytes),
  });
  state.timestamp = await signEnvelope(signed, needKeys(state, "timestamp"));
  await state.store.put("tuf/timestamp.json", encodeMetadata(state.timestamp));
}
