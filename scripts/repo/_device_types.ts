/** Private: the signed device-types document as the repository currently has it. */
import {
  DEVICE_TYPES_PATH,
  type DeviceTypeEntry,
  parseDeviceTypesDocument,
  type RepositoryWriter,
  verifyTargetBytes,
} from "../../core/trust/mod.ts";
import type { FsRepoStore } from "./fs_repo_store.ts";

/** The device types listed in the repository (empty when none yet). */
export async function currentDeviceTypes(
  store: FsRepoStore,
  writer: RepositoryWriter,
): Promise<DeviceTypeEntry[]> {
  const target = writer.targets().get(DEVICE_TYPES_PATH);
  if (!target) return [];
  const bytes = await store.get(target.url);
  if (!bytes) throw new Error(`Cannot read device types: ${target.url} is missing`);
  verifyTargetBytes(target, bytes);
  return parseDeviceTypesDocument(bytes);
}

/** The canonical slug of `slugOrAlias`, or `undefined`. */
export function canonicalSlug(list: DeviceTypeEntry[], slugOrAlias: string): string | undefined {
  return (list.find((d) => d.slug === slugOrAlias) ?? list.find((d) => d.aliases.includes(slugOrAlias)))
    ?.slug;
}
