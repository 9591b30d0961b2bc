/**
 * Private to scripts/ (`compile.ts`): `deno compile` of the bundle for a Linux target, with the denort of
 * DENO_VERSION the caller names (its host is not reachable here); a binary for the host's architecture
 * must pass the smoke test.
 * @module
 */
import { rename } from "node:fs/promises";
import { arch } from "node:os";
import process from "node:process";
import { exists, removing, run } from "./_compile_run.ts";
import { smokeTest } from "./_compile_smoke.ts";
import { denoPath, ROOT } from "./_compile_toolchain.ts";

/** Writes `out`: `deno compile --target <o.triple>` of `input` with `DENORT_BIN=<o.denort>`. */
export async function denoCompile(
  input: string,
  out: string,
  o: { triple: string; denort: string; log: (line: string) => void },
): Promise<void> {
  if (!(await exists(o.denort))) throw new TypeError(`Cannot compile: denort ${o.denort} does not exist`);
  o.log(`deno compile --target ${o.triple} with DENORT_BIN=${o.denort}`);
  const args = ["compile", "-A", "--no-check", "--target", o.triple, "--output", `${out}.tmp`, input];
  await run(denoPath(), args, {
    cwd: ROOT,
    log: o.log,
    env: { ...process.env, DENORT_BIN: o.denort, NO_COLOR: "1" },
  });
  if (o.triple.startsWith(arch() === "x64" ? "x86_64" : arch() === "arm64" ? "aarch64" : "-")) {
    await smokeTest([`${out}.tmp`], { input, log: o.log }).catch(removing(`${out}.tmp`));
  }
  await rename(`${out}.tmp`, out);
  o.log(`wrote ${out}`);
}
