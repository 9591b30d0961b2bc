/**
 * Private: image resolution for the image cache: device-type aliases through the signed device-types
 * document (kept in the cache for offline use), and `resolveVersion` over image targets or cache entries.
 * @module
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError, TransientError } from "../../core/errors.ts";
import type { ImageCustom, TargetInfo, TrustedRepository } from "../../core/trust/mod.ts";
import { DeviceTypes, resolveVersion } from "../../core/version/mod.ts";
import { writeFileAtomic } from "../fs/atomic_file.ts";
import { fetchBytes, type FetchPolicy } from "../net/fetch.ts";
import { joinUrl } from "../../core/url/mod.ts";

/** An image target with its custom metadata spread out; the cache is keyed by its sha256. */
export type Candidate = ImageCustom & { target: TargetInfo & { hashes: { sha256: string } } };

/** What {@linkcode pick} reads of an item: an image target's custom metadata, or a cache entry. */
type Pickable = { version: string; prerelease: boolean; variant: "prod" | "dev"; recommended?: boolean };

/**
 * `resolveVersion` over items that carry version, prerelease, variant and the signed `recommended` flag
 * (`recommended` and `default`: the newest flagged non-pre-release, else the newest non-pre-release).
 */
export function pick<T extends Pickable>(items: readonly T[], request: string, variant: "prod" | "dev"): T {
  const entries = items.map((item) => ({
    version: item.version,
    prerelease: item.prerelease,
    variant: item.variant,
    recommended: item.recommended === true,
    item,
  }));
  return resolveVersion(entries, request, { variant }).item;
}

/**
 * What `recommended` resolves to among `items`, per variant (`undefined`: none, only pre-releases): the
 * one `image list` marks, as the edge's `GET /v1/images/<deviceType>` does.
 */
export function recommendedOf<T extends Pickable>(
  items: readonly T[],
): Record<"prod" | "dev", T | undefined> {
  const of = (variant: "prod" | "dev") => {
    const same = items.filter((item) => item.variant === variant);
    return same.length === 0 ? undefined : pickOrUndefined(same, variant);
  };
  return { prod: of("prod"), dev: of("dev") };
}

function pickOrUndefined<T extends Pickable>(items: readonly T[], variant: "prod" | "dev"): T | undefined {
  try {
    return pick(items, "recommended", variant);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * The canonical slug of `deviceType` from the repository's signed device-types document (which is then kept
 * as `<cacheDir>/device-types.json`); the name as given when the repository has no such document.
 */
export async function onlineSlug(
  repo: TrustedRepository,
  deviceType: string,
  options: { api: URL | string; cacheDir: string; fetch?: FetchPolicy },
): Promise<string> {
  let target: TargetInfo;
  try {
    target = repo.deviceTypesTarget();
  } catch (error) {
    if (error instanceof NotFoundError) return deviceType; // a repository without aliases
    throw error;
  }
  const bytes = await fetchBytes(joinUrl(options.api, target.url), {
    ...options.fetch,
    maxLength: target.length,
  });
  if (!bytes) throw new TransientError(`Cannot list device types: ${target.url} is missing`);
  const types = new DeviceTypes(repo.deviceTypes(bytes));
  await mkdir(options.cacheDir, { recursive: true });
  await writeFileAtomic(join(options.cacheDir, "device-types.json"), bytes);
  return types.resolve(deviceType).slug;
}

/** The canonical slug from the last verified device-types document, else the name as given. */
export async function offlineSlug(deviceType: string, cacheDir: string): Promise<string> {
  try {
    const doc = JSON.parse(await readFile(join(cacheDir, "device-types.json"), "utf8"));
    return new DeviceTypes(doc.deviceTypes).resolve(deviceType).slug;
  } catch {
    return deviceType;
  }
}

/** The image targets of a canonical slug (those with a sha256: the cache is content-addressed by it). */
export function candidates(repo: TrustedRepository, slug: string): Candidate[] {
  return repo.images(slug).flatMap((t) =>
    t.hashes.sha256 === undefined ? [] : [{ ...(t.custom as ImageCustom), target: t as Candidate["target"] }]
  );
}

/** The image target `request` names; NotFoundError when the device type has no images. */
export function resolveImage(
  repo: TrustedRepository,
  slug: string,
  request: string,
  variant: "prod" | "dev",
): Candidate {
  const images = candidates(repo, slug);
  if (images.length === 0) throw new NotFoundError(`Cannot get image: no images for device type '${slug}'`);
  return pick(images, request, variant);
}
