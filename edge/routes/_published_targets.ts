/**
 * Private: the targets a publish names (top-level targets or a delegated role's), as every form of
 * `POST /v1/metadata` checks them: each usable, with a sha256 and with names devices accept
 * (`assertTargetNames`: an over-long app name, say) (400), each uploaded with its signed
 * length and every `custom.delta` linking an uploaded index and pack of the same metadata (409
 * `E_CONFLICT`/`E_DELTA_LINK`); once accepted, linked at their repository paths, and the new releases
 * legacy radiodan clients are not offered named.
 */
import {
  assertTargetNames,
  legacyRefusal,
  releasesDocument,
  targetInfoFromTuf,
} from "../../core/trust/mod.ts";
import type { AppCustom, TargetInfo } from "../../core/trust/mod.ts";
import type { RepoState } from "../repo_state.ts";
import { HttpError } from "../http_error.ts";
import { DeltaLinks } from "./_delta_links.ts";

/** A target the edge stores: its blobs are content-addressed by sha256. */
export type StoredTarget = TargetInfo & { hashes: { sha256: string } };

/** The targets of one metadata document's `targets` object; 400 for an unusable or unsafe one. */
export function targetInfos(targets: Record<string, Record<string, unknown>>): StoredTarget[] {
  const out: StoredTarget[] = [];
  for (const [path, entry] of Object.entries(targets)) {
    let info: StoredTarget;
    try {
      if (typeof entry !== "object" || entry === null) throw new TypeError("not an object");
      const parsed = targetInfoFromTuf(path, entry);
      if (parsed.hashes.sha256 === undefined) {
        throw new TypeError("no sha256 (the edge stores blobs by sha256)");
      }
      info = parsed as StoredTarget;
    } catch (error) {
      throw new HttpError(400, `Cannot publish: target '${path.slice(0, 200)}' is unusable`, {
        cause: error,
      });
    }
    try {
      // names devices would refuse (the whole metadata, exit 3): core/names, as add-app checks them
      assertTargetNames(info.custom as unknown as Record<string, unknown>);
    } catch (error) {
      throw new HttpError(
        400,
        `Cannot publish: target '${path.slice(0, 200)}' is unsafe (${(error as Error).message})`,
        { cause: error },
      );
    }
    out.push(info);
  }
  return out;
}

/**
 * Every target of one metadata document is stored with its signed length and its delta links hold,
 * else 409 (`E_DELTA_LINK` when a linked index or pack is missing).
 */
export async function requireUploaded(state: RepoState, targets: StoredTarget[]): Promise<void> {
  const links = DeltaLinks.check(targets);
  const missing: string[] = [];
  for (const target of targets) {
    const head = await state.storage.headBlob(target.hashes.sha256, { path: target.url });
    if (!head || head.size !== target.length) missing.push(target.path);
  }
  const broken = links.refusalFor(missing);
  if (broken) throw broken;
  if (missing.length > 0) {
    throw new HttpError(
      409,
      `Cannot publish: ${missing.length} target(s) not uploaded, e.g. ${missing.slice(0, 3).join(", ")}`,
    );
  }
}

/** Exposes each accepted target at its repository path where the storage can (failures are logged). */
export async function linkTargets(state: RepoState, targets: Iterable<TargetInfo>): Promise<void> {
  for (const target of targets) {
    if (target.hashes.sha256 === undefined) continue;
    await state.storage.linkBlob?.(target.hashes.sha256, target.url).catch((error) => {
      state.config.log(
        `Cannot link ${target.url}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
}

/** The current releases of this publish (paths not in `before`) that `GET /releases` leaves out, and why. */
export function legacyWarnings(targets: TargetInfo[], before: Map<string, TargetInfo>): string[] {
  const every = releasesDocument(targets, { legacyOnly: false });
  const out: string[] = [];
  for (const target of targets) {
    const c = target.custom as AppCustom;
    if (c.kind !== "app" || before.has(target.path) || every[c.name]?.[c.ref]?.file !== target.url) continue;
    const why = legacyRefusal(target);
    if (why) out.push(`${c.name} ${c.ref} ${c.commit}: not offered to legacy radiodan clients: ${why}`);
  }
  return out;
}
