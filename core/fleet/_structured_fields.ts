/**
 * Private: the parts of RFC 8941 Structured Field Values that HTTP Message Signatures (RFC 9421)
 * and Content-Digest (RFC 9530) need: Dictionaries of Items and Inner Lists with Parameters,
 * parsed strictly (`SyntaxError`) and serialized canonically. Bare items keep their type, so a
 * parsed value serializes back to exactly what the signer serialized.
 */
import { decodeBase64, encodeBase64 } from "./_base64.ts";

/** A bare item with its RFC 8941 type. */
export type BareItem =
  | { type: "integer" | "decimal"; value: number }
  | { type: "string" | "token"; value: string }
  | { type: "bytes"; value: Uint8Array }
  | { type: "boolean"; value: boolean };

/** Ordered parameters. */
export type Params = Map<string, BareItem>;

/** An Item: a bare item with parameters. */
export interface Item {
  kind: "item";
  value: BareItem;
  params: Params;
}

/** An Inner List of Items, with its own parameters. */
export interface InnerList {
  kind: "list";
  items: Item[];
  params: Params;
}

/** A Dictionary (ordered). */
export type Dictionary = Map<string, Item | InnerList>;

// Sticky: each is matched at the parser's position (`lastIndex`), without slicing the text.
const KEY = /[a-z*][a-z0-9_\-.*]*/y;
const TOKEN = /[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/y;
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?/y;
const BYTES = /:([A-Za-z0-9+/=]*):/y;
const BOOLEAN = /\?[01]/y;
/** A string's content without escapes: printable ASCII but `"` and `\`. */
const PLAIN = /[\x20\x21\x23-\x5b\x5d-\x7e]*"/y;

class Parser {
  pos = 0;
  constructor(readonly text: string) {}
  fail(what: string): never {
    throw new SyntaxError(`Cannot parse structured field: ${what} at offset ${this.pos}`);
  }
  peek(): string {
    return this.text[this.pos] ?? "";
  }
  skip(chars: string): void {
    while (this.pos < this.text.length && chars.includes(this.text[this.pos]!)) this.pos++;
  }
  match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (m) this.pos += m[0].length;
    return m;
  }
  key(): string {
    return this.match(KEY)?.[0] ?? this.fail("expected a key");
  }
  bareItem(): BareItem {
    const c = this.peek();
    if (c === '"') return { type: "string", value: this.string() };
    if (c === ":") {
      const m = this.match(BYTES) ?? this.fail("bad byte sequence");
      const value = decodeBase64(m[1]!) ?? this.fail("bad base64 in byte sequence");
      return { type: "bytes", value };
    }
    if (c === "?") {
      const m = this.match(BOOLEAN) ?? this.fail("bad boolean");
      return { type: "boolean", value: m[0] === "?1" };
    }
    if (c === "-" || (c >= "0" && c <= "9")) {
      const m = this.match(NUMBER) ?? this.fail("bad number");
      const [int = "", frac] = m[0].replace("-", "").split(".");
      if (frac === undefined) {
        if (int.length > 15) this.fail("integer too long");
        return { type: "integer", value: Number(m[0]) };
      }
      if (int.length > 12 || frac.length > 3) this.fail("decimal too long");
      return { type: "decimal", value: Number(m[0]) };
    }
    const t = this.match(TOKEN) ?? this.fail("expected an item");
    return { type: "token", value: t[0] };
  }
  string(): string {
    this.pos++; // opening quote
    const plain = this.match(PLAIN);
    if (plain) return plain[0].slice(0, -1);
    let out = "";
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++]!;
      if (c === "\\") {
        const next = this.text[this.pos++];
        if (next !== '"' && next !== "\\") this.fail("bad escape in string");
        out += next;
      } else if (c === '"') {
        return out;
      } else if (c < " " || c > "~") {
        this.fail("non-printable character in string");
      } else {
        out += c;
      }
    }
    return this.fail("unterminated string");
  }
  params(): Params {
    const params: Params = new Map();
    while (this.peek() === ";") {
      this.pos++;
      this.skip(" ");
      const key = this.key();
      let value: BareItem = { type: "boolean", value: true };
      if (this.peek() === "=") {
        this.pos++;
        value = this.bareItem();
      }
      params.set(key, value);
    }
    return params;
  }
  item(): Item {
    const value = this.bareItem();
    return { kind: "item", value, params: this.params() };
  }
  innerList(): InnerList {
    this.pos++; // "("
    const items: Item[] = [];
    for (;;) {
      this.skip(" ");
      if (this.peek() === ")") {
        this.pos++;
        return { kind: "list", items, params: this.params() };
      }
      items.push(this.item());
      const c = this.peek();
      if (c !== " " && c !== ")") this.fail("expected a space or ')' in inner list");
    }
  }
}

/**
 * Parse a Dictionary field value (leading and trailing spaces ignored; a repeated key keeps its
 * first position and its last value, as RFC 8941 says). `SyntaxError` when malformed.
 */
export function parseDictionary(text: string): Dictionary {
  const p = new Parser(text);
  const dict: Dictionary = new Map();
  p.skip(" ");
  if (p.pos === text.length) return dict;
  for (;;) {
    const key = p.key();
    if (p.peek() === "=") {
      p.pos++;
      dict.set(key, p.peek() === "(" ? p.innerList() : p.item());
    } else {
      dict.set(key, { kind: "item", value: { type: "boolean", value: true }, params: p.params() });
    }
    p.skip(" \t");
    if (p.pos === text.length) return dict;
    if (p.peek() !== ",") p.fail("expected ','");
    p.pos++;
    p.skip(" \t");
    if (p.pos === text.length) p.fail("trailing ','");
  }
}

/** Serialize a bare item canonically. `TypeError` for a value its type cannot hold. */
export function serializeBareItem(item: BareItem): string {
  switch (item.type) {
    case "integer":
      if (!Number.isSafeInteger(item.value) || Math.abs(item.value) > 999_999_999_999_999) {
        throw new TypeError(`Cannot serialize integer ${item.value}`);
      }
      return String(item.value);
    case "decimal":
      if (!Number.isFinite(item.value) || Math.abs(item.value) >= 1e12) {
        throw new TypeError(`Cannot serialize decimal ${item.value}`);
      }
      return (Math.round(item.value * 1000) / 1000).toFixed(3).replace(/0{1,2}$/, "");
    case "string":
      if (!/^[\x20-\x7e]*$/.test(item.value)) {
        throw new TypeError("Cannot serialize string: not printable ASCII");
      }
      return `"${item.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case "token":
      if (!/^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/.test(item.value)) {
        throw new TypeError(`Cannot serialize token '${item.value}'`);
      }
      return item.value;
    case "bytes":
      return `:${encodeBase64(item.value)}:`;
    case "boolean":
      return item.value ? "?1" : "?0";
  }
}

/** Serialize parameters (`;key=value`, `;key` for true). */
export function serializeParams(params: Params): string {
  let out = "";
  for (const [key, value] of params) {
    if (!/^[a-z*][a-z0-9_\-.*]*$/.test(key)) throw new TypeError(`Cannot serialize parameter key '${key}'`);
    out += value.type === "boolean" && value.value ? `;${key}` : `;${key}=${serializeBareItem(value)}`;
  }
  return out;
}

/** Serialize an Item or an Inner List. */
export function serializeMember(member: Item | InnerList): string {
  if (member.kind === "item") return serializeBareItem(member.value) + serializeParams(member.params);
  const items = member.items.map((i) => serializeBareItem(i.value) + serializeParams(i.params));
  return `(${items.join(" ")})${serializeParams(member.params)}`;
}
