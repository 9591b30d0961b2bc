/**
 * Private: the signature base of RFC 9421 §2.5 (component values, §2.1-2.2, and the
 * `@signature-params` line) for `signatureBase`, `signRequest` and `verifyRequest`.
 */
import { type InnerList, type Item, serializeMember } from "./_structured_fields.ts";
import { SignatureError } from "./errors.ts";

/** The parts of a request a signature can cover. A `Request` fits. */
export interface SignableRequest {
  method: string;
  url: string | URL;
  headers?: Headers;
}

/** The signature parameters of RFC 9421 §2.3 (`created` and `expires` in seconds since the epoch). */
export interface SignatureParameters {
  created?: number;
  expires?: number;
  keyid?: string;
  alg?: string;
  nonce?: string;
  tag?: string;
}

const DERIVED = new Set([
  "@method",
  "@authority",
  "@scheme",
  "@target-uri",
  "@request-target",
  "@path",
  "@query",
]);
const FIELD_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
/** The signature parameters Drover knows, in the order it serializes them. */
export const ORDER: (keyof SignatureParameters)[] = ["created", "expires", "keyid", "alg", "nonce", "tag"];

/** Signature parameters as RFC 8941 parameters (in a fixed order: created, expires, keyid, alg, nonce, tag). */
export function toInnerList(components: readonly string[], params: SignatureParameters): InnerList {
  const seen = new Set<string>();
  const items: Item[] = components.map((name) => {
    if (typeof name !== "string" || !(DERIVED.has(name) || FIELD_NAME.test(name))) {
      throw new TypeError(`Cannot sign request: unsupported component '${String(name)}'`);
    }
    if (seen.has(name)) throw new TypeError(`Cannot sign request: component '${name}' listed twice`);
    seen.add(name);
    return { kind: "item", value: { type: "string", value: name }, params: new Map() };
  });
  const list: InnerList = { kind: "list", items, params: new Map() };
  for (const key of ORDER) {
    const value = params[key];
    if (value === undefined) continue;
    if (key === "created" || key === "expires") {
      if (!Number.isSafeInteger(value) || (value as number) < 0) {
        throw new RangeError(`Cannot sign request: '${key}' must be a non-negative integer`);
      }
      list.params.set(key, { type: "integer", value: value as number });
    } else {
      if (typeof value !== "string") throw new TypeError(`Cannot sign request: '${key}' must be a string`);
      list.params.set(key, { type: "string", value });
    }
  }
  return list;
}

function componentValue(request: SignableRequest, name: string, options: { url: URL }): string {
  const url = options.url;
  switch (name) {
    case "@method":
      return request.method;
    case "@authority":
      return url.host.toLowerCase();
    case "@scheme":
      return url.protocol.slice(0, -1).toLowerCase();
    case "@target-uri":
      return url.href;
    case "@request-target":
      return (url.pathname || "/") + url.search;
    case "@path":
      return url.pathname || "/";
    case "@query":
      return url.search === "" ? "?" : url.search;
  }
  const value = request.headers?.get(name);
  if (value === null || value === undefined) {
    throw new SignatureError(`Cannot build signature base: the request has no '${name}' field`);
  }
  return value.trim();
}

/** The signature base of `request` for a parsed or built inner list (§2.5). */
export function baseOf(request: SignableRequest, list: InnerList): string {
  const url = new URL(request.url);
  const lines: string[] = [];
  for (const item of list.items) {
    if (item.value.type !== "string") {
      throw new SignatureError("Cannot build signature base: a component identifier is not a string");
    }
    if (item.params.size > 0) {
      throw new SignatureError(`Cannot build signature base: component parameters are not supported`);
    }
    const name = item.value.value;
    if (!DERIVED.has(name) && !FIELD_NAME.test(name)) {
      throw new SignatureError(`Cannot build signature base: unsupported component '${name.slice(0, 40)}'`);
    }
    const value = componentValue(request, item.value.value, { url });
    if (/[\r\n]/.test(value)) {
      throw new SignatureError(`Cannot build signature base: '${item.value.value}' holds a line break`);
    }
    lines.push(`${serializeMember(item)}: ${value}`);
  }
  lines.push(`"@signature-params": ${serializeMember(list)}`);
  return lines.join("\n");
}
