/**
 * HTTP Message Signatures (RFC 9421) for requests, with Ed25519 (`alg="ed25519"`, §3.3.6) by
 * WebCrypto. {@linkcode signatureBase} builds the signature base exactly as §2.5 says;
 * {@linkcode signRequest} signs it; {@linkcode verifyRequest} checks the `Signature-Input` and
 * `Signature` fields of a received request.
 *
 * Supported components: the derived `@method`, `@authority`, `@scheme`, `@target-uri`,
 * `@request-target`, `@path`, `@query`, and any header field by its lower-case name (a repeated
 * field is combined with ", ", as `Headers.get` does). Component parameters (`;sf`, `;key`,
 * `;req`, …) are not supported: signing refuses them, verification rejects them. The clock is never
 * consulted: `created` and `expires` are carried, not enforced (devices without an RTC have wrong
 * clocks), so replay protection belongs to the caller (Drover uses a per-device counter).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { signRequest, verifyRequest } from "./http_signature.ts";
 * const { privateKey, publicKey } = await crypto.subtle.generateKey("Ed25519", false, ["sign", "verify"]) as CryptoKeyPair;
 * const request = { method: "POST", url: "https://edge.example/v1/ping", headers: new Headers() };
 * const signed = await signRequest(request, privateKey, { components: ["@method", "@path"], params: { keyid: "k1" } });
 * request.headers.set("signature-input", signed.signatureInput);
 * request.headers.set("signature", signed.signature);
 * const verified = await verifyRequest(request, { key: (params) => params.keyid === "k1" ? publicKey : undefined });
 * assert.deepEqual(verified.components, ["@method", "@path"]);
 * await assert.rejects(verifyRequest({ ...request, method: "PUT" }, { key: () => publicKey }), { code: "E_SIGNATURE" });
 * ```
 * @module
 */
import { encodeBase64 } from "./_base64.ts";
import {
  baseOf,
  ORDER,
  type SignableRequest,
  type SignatureParameters,
  toInnerList,
} from "./_signature_base.ts";

export type { SignableRequest, SignatureParameters } from "./_signature_base.ts";
import { type BareItem, type InnerList, parseDictionary, serializeMember } from "./_structured_fields.ts";
import { SignatureError } from "./errors.ts";

const encoder = new TextEncoder();

/** What {@linkcode signRequest} returns: the two field values to send, and the base it signed. */
export interface SignedFields {
  /** The `Signature-Input` field value: `<label>=(<components>);<params>`. */
  signatureInput: string;
  /** The `Signature` field value: `<label>=:<base64>:`. */
  signature: string;
  /** The signature base (§2.5) that was signed. */
  base: string;
}

/** What {@linkcode verifyRequest} resolves with. */
export interface VerifiedSignature {
  label: string;
  components: string[];
  params: SignatureParameters;
  base: string;
}

/**
 * The signature base (RFC 9421 §2.5) of `request` covering `components`, with `params`.
 * `SignatureError` when a covered header is missing; `TypeError` for an unsupported component.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { signatureBase } from "./http_signature.ts";
 * const base = signatureBase(
 *   { method: "POST", url: "https://example.com/foo?param=Value&Pet=dog", headers: new Headers({ "content-length": "18" }) },
 *   { components: ["@method", "@path", "content-length"], params: { created: 1618884473, keyid: "k" } },
 * );
 * assert.equal(base, [
 *   '"@method": POST',
 *   '"@path": /foo',
 *   '"content-length": 18',
 *   '"@signature-params": ("@method" "@path" "content-length");created=1618884473;keyid="k"',
 * ].join("\n"));
 * ```
 */
export function signatureBase(
  request: SignableRequest,
  options: { components: readonly string[]; params?: SignatureParameters },
): string {
  return baseOf(request, toInnerList(options.components, options.params ?? {}));
}

/**
 * Sign `request` with an Ed25519 private key: the `Signature-Input` and `Signature` field values
 * for `label` (default `sig1`), covering `components` with `params`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { signRequest } from "./http_signature.ts";
 * const { privateKey } = await crypto.subtle.generateKey("Ed25519", false, ["sign"]) as CryptoKeyPair;
 * const signed = await signRequest({ method: "GET", url: "https://a.example/x" }, privateKey, {
 *   label: "drover", components: ["@method"], params: { alg: "ed25519" },
 * });
 * assert.equal(signed.signatureInput, 'drover=("@method");alg="ed25519"');
 * assert.match(signed.signature, /^drover=:[A-Za-z0-9+/]{86}==:$/);
 * ```
 */
export async function signRequest(
  request: SignableRequest,
  privateKey: CryptoKey,
  options: { components: readonly string[]; params?: SignatureParameters; label?: string },
): Promise<SignedFields> {
  const label = options.label ?? "sig1";
  if (!/^[a-z*][a-z0-9_\-.*]*$/.test(label)) throw new TypeError(`Cannot sign request: bad label '${label}'`);
  const list = toInnerList(options.components, options.params ?? {});
  const base = baseOf(request, list);
  const signature = new Uint8Array(
    await crypto.subtle.sign("Ed25519", privateKey, encoder.encode(base)),
  );
  return {
    signatureInput: `${label}=${serializeMember(list)}`,
    signature: `${label}=:${encodeBase64(signature)}:`,
    base,
  };
}

function parseField(request: SignableRequest, name: string) {
  const text = request.headers?.get(name);
  if (text === null || text === undefined) {
    throw new SignatureError(`Cannot verify request: no ${name} field`);
  }
  try {
    return parseDictionary(text);
  } catch (cause) {
    throw new SignatureError(`Cannot verify request: malformed ${name} (${(cause as Error).message})`, {
      cause,
    });
  }
}

function paramsOf(list: InnerList): SignatureParameters {
  const out: SignatureParameters = {};
  for (const key of ORDER) {
    const item: BareItem | undefined = list.params.get(key);
    if (item === undefined) continue;
    const want = key === "created" || key === "expires" ? "integer" : "string";
    if (item.type !== want) {
      throw new SignatureError(`Cannot verify request: parameter '${key}' is not a ${want}`);
    }
    (out as Record<string, unknown>)[key] = item.value;
  }
  return out;
}

/**
 * Verify the signature `label` of a received request (the only one when `label` is not given).
 * `key` maps the signature's parameters (its `keyid`) to the Ed25519 public key, or `undefined`
 * for an unknown key; every component of `required` must be covered. Rejects with
 * `SignatureError` for a missing or malformed field, an `alg` other than `ed25519`, an uncovered
 * required component, an unknown key, or a signature that does not verify.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyRequest } from "./http_signature.ts";
 * const request = { method: "GET", url: "https://a.example/", headers: new Headers() };
 * await assert.rejects(verifyRequest(request, { key: () => undefined }), /no signature-input field/);
 * ```
 */
export async function verifyRequest(
  request: SignableRequest,
  options: {
    key: (params: SignatureParameters) => CryptoKey | undefined | Promise<CryptoKey | undefined>;
    label?: string;
    required?: readonly string[];
  },
): Promise<VerifiedSignature> {
  const inputs = parseField(request, "signature-input");
  const signatures = parseField(request, "signature");
  let label = options.label;
  if (label === undefined) {
    if (inputs.size !== 1) {
      throw new SignatureError(`Cannot verify request: ${inputs.size} signatures and no label chosen`);
    }
    label = [...inputs.keys()][0]!;
  }
  const list = inputs.get(label);
  const sig = signatures.get(label);
  if (list === undefined || sig === undefined) {
    throw new SignatureError(`Cannot verify request: no signature labelled '${label}'`);
  }
  if (list.kind !== "list") {
    throw new SignatureError(`Cannot verify request: '${label}' input is not an inner list`);
  }
  if (sig.kind !== "item" || sig.value.type !== "bytes" || sig.value.value.length !== 64) {
    throw new SignatureError(`Cannot verify request: '${label}' is not a 64-byte Ed25519 signature`);
  }
  const params = paramsOf(list);
  if (params.alg !== undefined && params.alg !== "ed25519") {
    throw new SignatureError(`Cannot verify request: unsupported alg '${params.alg}'`);
  }
  const components = list.items.map((i) => i.value.type === "string" ? i.value.value : "");
  if (new Set(components).size !== components.length) {
    throw new SignatureError("Cannot verify request: a component is covered twice");
  }
  for (const name of options.required ?? []) {
    if (!components.includes(name)) {
      throw new SignatureError(`Cannot verify request: '${name}' is not signed`);
    }
  }
  const base = baseOf(request, list);
  const key = await options.key(params);
  if (key === undefined) {
    throw new SignatureError(`Cannot verify request: unknown key '${params.keyid ?? "(no keyid)"}'`);
  }
  let ok: boolean;
  try {
    ok = await crypto.subtle.verify("Ed25519", key, new Uint8Array(sig.value.value), encoder.encode(base));
  } catch (cause) {
    throw new SignatureError(`Cannot verify request: ${(cause as Error).message}`, { cause });
  }
  if (!ok) throw new SignatureError(`Cannot verify request: signature '${label}' does not match`);
  return { label, components, params, base };
}
