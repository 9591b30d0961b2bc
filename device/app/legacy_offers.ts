/**
 * `--insecure-legacy`: offers from an unsigned radiodan releases document
 * (`{name: {ref: {commit, file, sha1, sha256?, size?, updated}}}`, the original format or
 * Drover's `releases.json` with sha256). The document is found at the API URL as given, else at
 * its `releases` or `releases.json` path. Downloads are verified against sha1 (and sha256 when
 * present); nothing is signed, so anyone who can change the document or the network can install code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLegacyDocument } from "./legacy_offers.ts";
 * const offers = parseLegacyDocument(
 *   { "acme/radio": { main: { commit: "68200ec", file: "radio.tar.gz", sha1: "0e8ff998e905a2cfa5a4d15afe68622e3db24b72" } } },
 *   new URL("http://127.0.0.1:8080/releases"),
 * );
 * assert.equal(offers.find("acme/radio", "main")?.url.href, "http://127.0.0.1:8080/radio.tar.gz");
 * ```
 * @module
 */
import { NotFoundError } from "../../core/errors.ts";
import { fetchBytes, type FetchPolicy } from "../net/fetch.ts";
import { blobKey, type Offer, type Offers } from "./offers.ts";
import { joinUrl } from "../../core/url/mod.ts";
import { isLegacyAppName, isLegacyCommit, isRef, isSha1, isSha256 } from "../../core/names/mod.ts";

/** The warning printed on stderr whenever legacy mode runs. */
export const LEGACY_WARNING =
  "WARNING: --insecure-legacy: the releases document is NOT signed. Anyone who can " +
  "change it or the network path to it can install code on this device. Use TUF (a trusted root) instead.\n";

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function looksLikeDocument(v: unknown): v is Record<string, Record<string, Record<string, unknown>>> {
  if (!isObject(v)) return false;
  return Object.values(v).every((refs) =>
    isObject(refs) && Object.values(refs).every((e) => isObject(e) && typeof e.commit === "string")
  );
}

/**
 * Offers from a parsed releases document fetched from `docUrl` (relative `file`s resolve against
 * it). Entries with invalid names, refs, commits, digests or URLs are left out.
 */
export function parseLegacyDocument(doc: unknown, docUrl: URL): Offers {
  if (!looksLikeDocument(doc)) {
    throw new SyntaxError(`Cannot read releases document ${docUrl}: unexpected shape`);
  }
  const remote = docUrl.protocol !== "file:";
  return {
    mode: "insecure-legacy",
    find(name, ref) {
      if (
        !isLegacyAppName(name) || !isRef(ref) || !Object.hasOwn(doc, name) || !Object.hasOwn(doc[name]!, ref)
      ) {
        return undefined;
      }
      const e = doc[name]![ref]!;
      const sha1 = typeof e.sha1 === "string" ? e.sha1.toLowerCase() : undefined;
      const sha256 = typeof e.sha256 === "string" ? e.sha256.toLowerCase() : undefined;
      if (!isLegacyCommit(e.commit) || typeof e.file !== "string") return undefined;
      if ((sha1 === undefined || !isSha1(sha1)) && (sha256 === undefined || !isSha256(sha256))) {
        return undefined;
      }
      if ((sha1 !== undefined && !isSha1(sha1)) || (sha256 !== undefined && !isSha256(sha256))) {
        return undefined;
      }
      let url: URL;
      try {
        url = new URL(e.file, docUrl);
      } catch {
        return undefined;
      }
      if (!["http:", "https:", "file:"].includes(url.protocol) || (remote && url.protocol === "file:")) {
        return undefined;
      }
      const size = Number.isSafeInteger(e.size) && (e.size as number) >= 0 ? e.size as number : undefined;
      const offer: Offer = {
        name,
        ref,
        commit: e.commit.toLowerCase(),
        serial: Number.isSafeInteger(e.serial) ? e.serial as number : undefined,
        updated: typeof e.updated === "string" && !Number.isNaN(Date.parse(e.updated))
          ? e.updated
          : undefined,
        version: typeof e.version === "string" ? e.version : undefined,
        url,
        expected: { length: size, sha1, sha256 },
        key: blobKey({ sha256, sha1 }),
        origin: url.href,
      };
      return offer;
    },
  };
}

/**
 * Finds and reads the releases document at `api` (as given, then `releases`, then `releases.json`).
 * `NotFoundError` when none of them is a releases document; `TransientError` on network trouble.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, writeFile } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { pathToFileURL } from "node:url";
 * import { openLegacyOffers } from "./legacy_offers.ts";
 * const dir = await mkdtemp(join(tmpdir(), "legacy-"));
 * await writeFile(join(dir, "releases.json"), "{}");
 * const offers = await openLegacyOffers(pathToFileURL(dir));
 * assert.ok(offers.mode === "insecure-legacy" && offers.find("a/b", "main") === undefined);
 * await rm(dir, { recursive: true });
 * ```
 */
export async function openLegacyOffers(api: URL, options: FetchPolicy = {}): Promise<Offers> {
  const candidates = [api, joinUrl(api, "releases"), joinUrl(api, "releases.json")];
  const tried: string[] = [];
  for (const url of candidates) {
    if (tried.includes(url.href)) continue;
    tried.push(url.href);
    const bytes = await fetchBytes(url, { ...options, maxLength: 16 * 1024 * 1024 });
    if (!bytes) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      continue;
    }
    if (looksLikeDocument(doc)) return parseLegacyDocument(doc, url);
  }
  throw new NotFoundError(`Cannot find a releases document: tried ${tried.join(", ")}`);
}
