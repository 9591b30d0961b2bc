/**
 * Node 20.11's WebCrypto prints "ExperimentalWarning: The Ed25519 Web Crypto API algorithm is an
 * experimental feature…" on every secure command of the SEA binaries built on it. That one warning
 * is dropped; every other warning still reaches the listeners that were there (Node's printer).
 * @module
 */

/** Whether `warning` is the Ed25519 WebCrypto ExperimentalWarning, the only one dropped. */
export function isEd25519Warning(warning: { name?: string; message?: string }): boolean {
  return warning?.name === "ExperimentalWarning" && /\bEd25519\b/.test(String(warning.message));
}

/** Replaces the `warning` listeners of `proc` by one that forwards all but the Ed25519 warning to them. */
export function dropEd25519Warning(proc: NodeJS.Process): void {
  const forward = proc.listeners("warning");
  proc.removeAllListeners("warning");
  proc.on("warning", (warning: Error) => {
    if (isEd25519Warning(warning)) return;
    for (const listener of forward) (listener as (w: Error) => void).call(proc, warning);
  });
}
