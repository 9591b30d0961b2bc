/**
 * Private: the encodings TUF uses for non-Ed25519 keys and signatures: PEM SubjectPublicKeyInfo
 * public keys (as `cryptography` writes them), and ECDSA signatures as DER `SEQUENCE { r, s }`,
 * which WebCrypto wants as raw `r || s` (IEEE P1363) instead.
 */

/** PEM text ("-----BEGIN PUBLIC KEY-----", 64-character lines, final newline) of DER `bytes`. */
export function pemOf(label: string, der: Uint8Array): string {
  let b64 = "";
  for (let i = 0; i < der.length; i += 0x8000) {
    b64 += String.fromCharCode(...der.subarray(i, i + 0x8000));
  }
  b64 = btoa(b64);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The DER bytes of a PEM block with `label`; `undefined` when `text` is not one. */
export function derOfPem(label: string, text: string): Uint8Array<ArrayBuffer> | undefined {
  const m = new RegExp(`^\\s*-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----\\s*$`)
    .exec(text);
  if (!m) return undefined;
  try {
    const bin = atob(m[1]!.replace(/\s+/g, ""));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

/** Raw `r || s` (each `size` bytes) of a DER ECDSA signature; `undefined` when malformed. */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array<ArrayBuffer> | undefined {
  let at = 0;
  const length = (): number | undefined => {
    const first = der[at++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first !== 0x81) return undefined; // an ECDSA signature of these sizes never needs more
    const n = der[at++];
    return n !== undefined && n >= 0x80 ? n : undefined;
  };
  if (der[at++] !== 0x30) return undefined;
  const total = length();
  if (total === undefined || at + total !== der.length) return undefined;
  const out = new Uint8Array(size * 2);
  for (const half of [0, 1]) {
    if (der[at++] !== 0x02) return undefined;
    const n = length();
    if (n === undefined || n === 0 || at + n > der.length) return undefined;
    let int = der.subarray(at, at + n);
    at += n;
    if ((int[0]! & 0x80) !== 0) return undefined; // negative
    if (int.length > 1 && int[0] === 0 && (int[1]! & 0x80) === 0) return undefined; // not minimal
    while (int.length > 0 && int[0] === 0) int = int.subarray(1);
    if (int.length > size) return undefined;
    out.set(int, size * (half + 1) - int.length);
  }
  return at === der.length ? out : undefined;
}

/** The DER `SEQUENCE { r, s }` of a raw `r || s` ECDSA signature. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  const half = raw.length / 2;
  const int = (bytes: Uint8Array): number[] => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const body = [...bytes.subarray(i)];
    if ((body[0]! & 0x80) !== 0) body.unshift(0);
    return [0x02, body.length, ...body];
  };
  const body = [...int(raw.subarray(0, half)), ...int(raw.subarray(half))];
  const len = body.length < 0x80 ? [body.length] : [0x81, body.length];
  return new Uint8Array([0x30, ...len, ...body]);
}
