/**
 * The rollout id of a device that is not enrolled: `r_` and 32 random hex digits in
 * `<workspace>/rollout/device-id`, created once (written to a temp file, then hard-linked into
 * place, so two processes creating it at once end up with the same id) and kept: the device keeps
 * its place in every rollout from run to run. A damaged file is replaced by a new id (a new place;
 * the caller is told). An enrolled device buckets by its device id instead (`rollout_context.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { workspaceRolloutId } from "./workspace_rollout_id.ts";
 * const ws = await mkdtemp(join(tmpdir(), "ws-"));
 * const first = await workspaceRolloutId(ws);
 * assert.match(first.id, /^r_[0-9a-f]{32}$/);
 * assert.equal(first.created, true);
 * assert.deepEqual(await workspaceRolloutId(ws), { id: first.id, created: false });
 * await rm(ws, { recursive: true });
 * ```
 * @module
 */
import { link, mkdir, open, readFile, unlink } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { fsyncDir, writeFileAtomic } from "../fs/atomic_file.ts";
import { rolloutPaths } from "./rollout_paths.ts";

/** A workspace rollout id: `r_` and 32 lower-case hex digits. */
export const WORKSPACE_ROLLOUT_ID: RegExp = /^r_[0-9a-f]{32}$/;

/**
 * The workspace's rollout id, created when there is none (`created`). `onReplaced` is told when
 * a damaged file was replaced.
 */
export async function workspaceRolloutId(
  workspace: string,
  options: { onReplaced?: (detail: string) => void } = {},
): Promise<{ id: string; created: boolean }> {
  const paths = rolloutPaths(workspace);
  const existing = await readId(paths.deviceId);
  if (existing.id) return { id: existing.id, created: false };
  const id = `r_${randomBytes(16).toString("hex")}`;
  await mkdir(paths.dir, { recursive: true });
  if (existing.damaged) {
    await writeFileAtomic(paths.deviceId, id + "\n");
    options.onReplaced?.(
      `Cannot use rollout id ${paths.deviceId}: ${existing.damaged}; a new one replaces it`,
    );
    return { id, created: true };
  }
  const tmp = `${paths.deviceId}.new-${process.pid}-${randomBytes(4).toString("hex")}`;
  const handle = await open(tmp, "wx", 0o644);
  try {
    await handle.writeFile(id + "\n");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, paths.deviceId);
  } catch (error) {
    if ((error as { code?: string }).code !== "EEXIST") throw error;
  } finally {
    await unlink(tmp).catch(() => {});
  }
  await fsyncDir(paths.dir);
  const stored = await readId(paths.deviceId);
  if (!stored.id) {
    throw new Error(`Cannot create rollout id ${paths.deviceId}: ${stored.damaged ?? "it vanished"}`);
  }
  return { id: stored.id, created: stored.id === id };
}

async function readId(path: string): Promise<{ id?: string; damaged?: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return {};
    throw error;
  }
  const id = text.trim();
  return WORKSPACE_ROLLOUT_ID.test(id) ? { id } : { damaged: "not an r_<32 hex> id" };
}
