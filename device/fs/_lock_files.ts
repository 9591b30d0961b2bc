/**
 * Private to device/fs: the file operations `lock.ts` creates a lock with, one object its tests
 * replace members of to make a disk full or read-only at a chosen step (no root, no mount).
 * @module
 */
import { link, open } from "node:fs/promises";

/** `open` and `link` of node:fs/promises, as `lock.ts` calls them. */
export const lockFiles: { open: typeof open; link: typeof link } = { open, link };
