/**
 * core/trust: TUF metadata (root, targets, snapshot, timestamp; Ed25519, ECDSA P-256 and RSA-PSS
 * by WebCrypto; consistent snapshots or not), the client refresh workflow, and the repository writer
 * (signing with Ed25519 or ECDSA keys, thresholds met by one or several holders).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair, MemoryStore, refreshTrust, RepositoryWriter } from "./mod.ts";
 * const keys = { root: await generateKeyPair(), targets: await generateKeyPair(),
 *   snapshot: await generateKeyPair(), timestamp: await generateKeyPair() };
 * const repo = new MemoryStore();
 * await RepositoryWriter.init(repo, keys);
 * const trusted = await refreshTrust({
 *   fetch: (path) => repo.get(path),
 *   store: new MemoryStore(),
 *   trustedRoot: await repo.get("tuf/1.root.json"),
 * });
 * assert.equal(trusted.versions.targets, 1);
 * ```
 * @module
 */
export {
  generateKeyPair,
  keyIdOf,
  type KeyPair,
  keyToTuf,
  type KeyType,
  parseKeyFile,
  type TufKey,
} from "./key_pair.ts";
export {
  decodeMetadata,
  encodeMetadata,
  type Envelope,
  type EnvelopeSignature,
  signEnvelope,
} from "./envelope.ts";
export { type RoleName, type RootKeys, verifyEnvelope } from "./verify_envelope.ts";
export {
  type AppCustom,
  type DeviceTypesCustom,
  type ImageCustom,
  type ManifestCustom,
  type TargetCustom,
  targetDigest,
  type TargetHashes,
  type TargetInfo,
  targetInfoFromTuf,
  targetInfoToTuf,
  verifyTargetBytes,
} from "./target_info.ts";
export {
  appTargetPath,
  assertTargetPath,
  DEVICE_TYPES_PATH,
  imageTargetPath,
  targetUrl,
} from "./target_paths.ts";
export {
  DEFAULT_MAX_LENGTHS,
  type MetadataFetcher,
  type MetadataMaxLengths,
  type MetadataStore,
  refreshTrust,
  type RefreshTrustOptions,
} from "./refresh_trust.ts";
export { type DeviceTypeEntry, parseDeviceTypesDocument, TrustedRepository } from "./trusted_repository.ts";
export {
  type DelegatedRole,
  delegatesPath,
  delegationKeys,
  type Delegations,
  parseDelegations,
} from "./delegations.ts";
export { assertDelegatedRoleName, isDelegatedRoleName } from "./role_name.ts";
export { matchPathPattern } from "./path_pattern.ts";
export {
  type DelegationGraph,
  type FoundTarget,
  type GraphRole,
  MAX_DELEGATED_ROLES,
  resolveTargets,
  searchTarget,
} from "./target_search.ts";
export { assertTargetPlacement } from "./target_placement.ts";
export { assertTargetNames } from "./target_names.ts";
export type { DelegationSpec } from "./_delegated_roles.ts";
export {
  RepositoryWriter,
  type RepositoryWriterOptions,
  type RepoStore,
  type RoleKeyring,
  type RoleKeys,
  type StagedTargets,
} from "./repository_writer.ts";
export {
  type ReleaseEntry,
  type ReleasesDocument,
  releasesDocument,
  type ReleasesDocumentOptions,
} from "./releases_document.ts";
export { legacyRefusal } from "./legacy_release.ts";
export { MemoryStore } from "./memory_store.ts";
