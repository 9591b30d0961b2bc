/**
 * Private to core/delta: the gear table of the chunker, 256 pseudo-random 32-bit words from a
 * fixed SplitMix32 seed. Part of the chunk format: publisher and device must agree on it, so it
 * never changes for `gear-fastcdc-v1`.
 */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** The gear table (`gear-fastcdc-v1`). */
export const GEAR: Uint32Array = (() => {
  const next = splitmix32(0x64726f76); // "drov"
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) table[i] = next();
  return table;
})();
