/**
 * Private: the chunked forms a publish links (DESIGN §10). A release or image whose signed
 * `custom.delta` names an index and a pack must list both as targets of the same metadata with the
 * sha256 and length the link gives, and both must be uploaded: the edge cannot sign a chunked form
 * itself, and a broken link would otherwise show only on devices (which then fall back to the full
 * artifact, or fetch a pack the edge does not have). Refusals are 409 `E_DELTA_LINK`.
 */
import { parseDeltaLink } from "../../core/delta/mod.ts";
import type { TargetInfo } from "../../core/trust/mod.ts";
import { HttpError } from "../http_error.ts";

const clip = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

function refuse(detail: string): HttpError {
  return new HttpError(409, `Cannot publish: ${detail}`, { code: "E_DELTA_LINK" });
}

/**
 * The delta links of one targets metadata document: {@linkcode DeltaLinks.check} refuses a
 * `custom.delta` that is unreadable or links an index or pack the document does not list with the
 * linked sha256 and length; {@linkcode DeltaLinks.refusalFor} refuses when a linked one is not uploaded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DeltaLinks } from "./_delta_links.ts";
 * const sha = (c: string) => c.repeat(64);
 * const chunker = { algorithm: "gear-fastcdc-v1", min: 16384, avg: 65536, max: 262144 };
 * const delta = { index: "a.cidx", indexSha256: sha("1"), indexLength: 10, pack: "a.cpack", packSha256: sha("2"), packLength: 20, chunker };
 * const target = (path: string, length: number, sha256: string, custom: object = {}) =>
 *   ({ path, length, hashes: { sha256 }, custom, url: `targets/${sha256}.${path}` }) as never;
 * const release = target("a", 30, sha("3"), { kind: "app", delta });
 * const links = DeltaLinks.check([release, target("a.cidx", 10, sha("1")), target("a.cpack", 20, sha("2"))]);
 * assert.equal(links.refusalFor(["a.cpack"])?.code, "E_DELTA_LINK");
 * assert.equal(links.refusalFor(["b"]), undefined);
 * assert.throws(() => DeltaLinks.check([release, target("a.cidx", 10, sha("1"))]), { code: "E_DELTA_LINK" });
 * ```
 */
export class DeltaLinks {
  /** Each linked index or pack path → the path of the target linking it. */
  readonly #linked: Map<string, string>;

  private constructor(linked: Map<string, string>) {
    this.#linked = linked;
  }

  /** Checks every `custom.delta` among `targets` (one document); throws 409 `E_DELTA_LINK`. */
  static check(targets: readonly TargetInfo[]): DeltaLinks {
    const byPath = new Map(targets.map((t) => [t.path, t]));
    const linked = new Map<string, string>();
    for (const target of targets) {
      const value = (target.custom as { delta?: unknown } | undefined)?.delta;
      if (value === undefined) continue;
      let link;
      try {
        link = parseDeltaLink(value);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        throw refuse(`${clip(target.path)} has a custom.delta devices cannot read (${why})`);
      }
      const parts = [
        { what: "index", path: link.index, sha256: link.indexSha256, length: link.indexLength },
        { what: "pack", path: link.pack, sha256: link.packSha256, length: link.packLength },
      ];
      for (const part of parts) {
        const listed = byPath.get(part.path);
        const name = `${clip(target.path)} links its delta ${part.what} ${clip(part.path)}`;
        if (!listed) throw refuse(`${name}, which this metadata does not list as a target`);
        if (listed.hashes.sha256 !== part.sha256 || listed.length !== part.length) {
          throw refuse(
            `${name} as ${part.length} bytes with sha256 ${part.sha256}, but this metadata lists it as ` +
              `${listed.length} bytes with sha256 ${listed.hashes.sha256 ?? "(none)"}`,
          );
        }
        linked.set(part.path, target.path);
      }
    }
    return new DeltaLinks(linked);
  }

  /** The refusal (409 `E_DELTA_LINK`) when some of the `missing` (not uploaded) paths are linked, else `undefined`. */
  refusalFor(missing: readonly string[]): HttpError | undefined {
    const parts = missing.filter((path) => this.#linked.has(path));
    if (parts.length === 0) return undefined;
    const first = parts[0]!;
    const others = missing.length - 1;
    return refuse(
      `the chunked form ${clip(first)} that ${clip(this.#linked.get(first)!)} links is not uploaded` +
        `${others > 0 ? ` (${others} other target(s) are not uploaded either)` : ""}; ` +
        "upload it first (repo push does)",
    );
  }
}
