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

/** `resolveVersion` over items that carry version, prerelease and variant. */
export function pick<T extends { version: string; prerelease: boolean; variant: "prod" | "dev" }>(
  items: readonly T[],
  request: string,
  variant: "prod" | "dev",
): T {
  const entries = items.map((item) => ({
    version: item.version,
    prerelease: item.prerelease,
    variant: item.variant,
    item,
  }));
  return resolveVersion(entries, request, { variant }).item;
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
