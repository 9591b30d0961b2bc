/**
 * Safe streaming tar(.gz) reading: {@linkcode UntarStream} turns archive bytes into checked
 * {@linkcode ArchiveEntry} objects (the device writes them with `device/fs/extract.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UntarStream } from "./mod.ts";
 * import { packTar } from "modern-tar";
 * const tar = await packTar([{ header: { name: "a/", size: 0, type: "directory" } }]);
 * const reader = new Blob([tar]).stream().pipeThrough(new UntarStream()).getReader();
 * assert.equal((await reader.read()).value?.path, "a");
 * ```
 * @module
 */
export type { ArchiveEntry, ArchiveEntryType, UntarOptions } from "./archive_entry.ts";
export { UntarStream } from "./untar_stream.ts";
