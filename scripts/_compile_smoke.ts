/**
 * Private to scripts/ (`compile.ts`): every binary must print what the bundle prints for `--version`
 * before it is kept (catches a wrong DENORT_BIN, a bad blob); other architectures' binaries run under
 * qemu-user when it is installed.
 * @module
 */
import { basename, dirname } from "node:path";
import { run } from "./_compile_run.ts";
import { DENO_VERSION } from "./_compile_toolchain.ts";

/** Emulators that run other targets' binaries for the smoke test when installed (apt: qemu-user + cross libc). */
export const QEMU: Partial<Record<"x64" | "arm64" | "armv7l", [string, string]>> = {
  arm64: ["/usr/bin/qemu-aarch64", "/usr/aarch64-linux-gnu"],
  armv7l: ["/usr/bin/qemu-arm", "/usr/arm-linux-gnueabihf"],
};

/**
 * Runs `command --version` (the binary is its last word, maybe after an emulator and its options) and
 * throws unless it prints what `node <o.input> --version` prints.
 */
export async function smokeTest(
  command: string[],
  o: { input: string; log: (line: string) => void },
): Promise<void> {
  const { input, log } = o;
  const binary = command.at(-1)!;
  const { stdout } = await run(command[0]!, [...command.slice(1), "--version"], {
    cwd: dirname(binary),
    log,
    quiet: true,
  });
  const expected = await run("node", [input, "--version"], { cwd: dirname(binary), log, quiet: true })
    .then((r) => r.stdout, () => undefined);
  if (expected !== undefined && stdout !== expected) {
    throw new Error(
      `Cannot compile: ${basename(binary)} --version printed '${stdout.trim()}' where the bundle prints ` +
        `'${expected.trim()}' (for deno targets: is DENORT_BIN a denort ${DENO_VERSION}?)`,
    );
  }
  const how = command.length > 1 ? ` (${basename(command[0]!)})` : "";
  log(`smoke test${how}: ${basename(binary)} --version -> ${stdout.trim()}`);
}
