/** Private: one-shot digests through the injected hasher (native where the runtime has it). */
import { getAbilities, type HashAlgorithm } from "../abilities.ts";
import { hex } from "./_hex.ts";

/** Hex digest of `bytes`. */
export function digestHex(algorithm: HashAlgorithm, bytes: Uint8Array): string {
  const h = getAbilities().createHasher(algorithm);
  h.update(bytes);
  return hex(h.digest());
}
