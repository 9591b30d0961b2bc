/**
 * Private to scripts/bench (the install benchmark): the repository root, the Deno that runs the
 * repository CLI, and the app the benchmark publishes and installs.
 * @module
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The Deno executable (this one when running under Deno). */
export const DENO: string = typeof Deno !== "undefined" ? Deno.execPath() : "deno";
/** The benchmark's app: its new commit, and the older one installed by hand beforehand. */
export const APP = { name: "bench/big-app", ref: "main", commit: "b".repeat(40), oldCommit: "a".repeat(40) };
