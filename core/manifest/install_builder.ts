/**
 * The install builder: resolves a chain of device manifests (a manifest may extend another) from sources in
 * priority order, then reports what the chain requires and, for each id, whether it is available (a valid
 * copy was found), missing (no source holds it), corrupt (only damaged copies: mini-hash, signature) or
 * invalid (with a stable reason code). Platform-agnostic: sources do the I/O.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InstallBuilder } from "./install_builder.ts";
 * import { MemorySource } from "./memory_source.ts";
 * const b = new InstallBuilder({ verify: async () => {} }).setManifestId("base").addSource(new MemorySource());
 * await b.build();
 * assert.ok(!b.isChainComplete() && b.getMissingManifestId() === "base");
 * ```
 * @module
 */
import {
  checkManifest,
  type Manifest,
  type ManifestArtifact,
  type ManifestPolicy,
  type SignedManifest,
} from "./manifest.ts";
import { isSegment } from "../names/mod.ts";
import { isCorruptCode, type ValidationFailure } from "./reasons.ts";
import type { ArtifactSource, SourceItem } from "./source.ts";
import { MemorySource } from "./memory_source.ts";
import { copiesOf, findArtifact, findManifest } from "./_lookup.ts";

/** An artifact required by the chain, with the nodes that need it and the manifest that defined it. */
export interface RequiredArtifact extends ManifestArtifact {
  nodes: string[];
  manifest: string;
}

/** The id a manifest file claims (unverified), for reports about a manifest that failed its checks. */
function peekId(input: Uint8Array | SignedManifest): string | undefined {
  try {
    const doc = input instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(input)) : input;
    const id = doc?.signed?.id;
    return isSegment(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Options of {@linkcode InstallBuilder}: the device's policy and how many artifacts to scan at once. */
export interface InstallBuilderOptions extends ManifestPolicy {
  /** Artifacts scanned at once (default 4). */
  concurrency?: number;
  /** Aborts the build (sources see it when opening copies). */
  signal?: AbortSignal;
}

/** Resolves a manifest chain from ordered sources and reports on it. */
export class InstallBuilder {
  #options: InstallBuilderOptions;
  #manifestId?: string;
  #manifestInput?: Uint8Array | SignedManifest;
  #sources: ArtifactSource[] = [];
  #built = false;
  #chain: Manifest[] = [];
  #chainComplete = false;
  #missingManifestId?: string;
  #required: string[] = [];
  #artifacts = new Map<string, RequiredArtifact>();
  #found = new Map<string, SourceItem>();
  #missing: string[] = [];
  #invalid = new Map<string, ValidationFailure>();

  constructor(options: InstallBuilderOptions) {
    if (typeof options?.verify !== "function") {
      throw new TypeError("Cannot create install builder: options.verify is required");
    }
    this.#options = options;
  }

  /** Installs the manifest with this id (looked up in the sources). Ignored when a manifest is set. */
  setManifestId(id: string): this {
    if (typeof id !== "string" || id === "") throw new TypeError("Cannot set manifest id: empty id");
    this.#manifestId = id;
    return this;
  }

  /** Installs this manifest (file bytes or parsed envelope); it need not be in any source. */
  setManifest(manifest: Uint8Array | SignedManifest): this {
    this.#manifestInput = manifest;
    return this;
  }

  /** Adds a source; sources are examined in the order they are added. */
  addSource(source: ArtifactSource): this {
    this.#sources.push(source);
    return this;
  }

  /** Resolves the chain and scans the sources. May be called again (e.g. after adding a source). */
  async build(): Promise<void> {
    if (this.#manifestInput === undefined && this.#manifestId === undefined) {
      throw new TypeError("Cannot build: set a manifest or a manifest id first");
    }
    this.#chain = [];
    this.#chainComplete = false;
    this.#missingManifestId = undefined;
    this.#required = [];
    this.#artifacts.clear();
    this.#found.clear();
    this.#missing = [];
    this.#invalid.clear();
    this.#built = true;
    await this.#resolveChain();
    if (!this.#chainComplete) return;
    this.#collectArtifacts();
    await this.#scanArtifacts();
  }

  async #resolveChain(): Promise<void> {
    let next: string | undefined = this.#manifestId;
    if (this.#manifestInput !== undefined) {
      const r = await checkManifest(this.#manifestInput, this.#options);
      const id = r.ok
        ? r.manifest.id
        : r.manifest?.id ?? peekId(this.#manifestInput) ?? this.#manifestId ?? "(manifest)";
      this.#required.push(id);
      if (!r.ok) return void this.#invalid.set(id, { ...r.failure, source: "given" });
      const bytes = this.#manifestInput instanceof Uint8Array
        ? this.#manifestInput
        : new TextEncoder().encode(JSON.stringify(this.#manifestInput));
      this.#found.set(id, (await new MemorySource("given").put(id, "manifest", bytes).get(id, "manifest"))!);
      this.#chain.push(r.manifest);
      next = r.manifest.extends;
    }
    while (next !== undefined) {
      const id: string = next;
      if (this.#chain.some((m) => m.id === id)) {
        this.#invalid.set(id, { code: "CHAIN_CYCLE", message: `manifest '${id}' extends itself (cycle)` });
        return;
      }
      this.#required.push(id);
      const loaded = await findManifest(
        copiesOf(this.#sources, id, "manifest", this.#options.signal),
        id,
        this.#options,
      );
      if (loaded === undefined) {
        this.#missingManifestId = id;
        this.#missing.push(id);
        return;
      }
      if (!loaded.ok) return void this.#invalid.set(id, loaded.failure);
      this.#found.set(id, loaded.copy);
      this.#chain.push(loaded.manifest);
      next = loaded.manifest.extends;
    }
    const blocked = new Set(this.#chain.flatMap((m) => m.blocked ?? []));
    for (const m of this.#chain) {
      if (blocked.has(m.id)) {
        this.#invalid.set(m.id, {
          code: "BLOCKED_MANIFEST",
          message: `manifest '${m.id}' is blocked by the chain`,
        });
        return;
      }
    }
    this.#chainComplete = true;
  }

  #collectArtifacts(): void {
    // From the root ancestor to the manifest being installed (nearer manifests override), nodes by name.
    for (const m of [...this.#chain].reverse()) {
      for (const [node, list] of Object.entries(m.nodes).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
        for (const a of list) {
          const prev = this.#artifacts.get(a.id);
          const same = prev && prev.sha256 === a.sha256 && prev.size === a.size;
          const nodes = same ? [...new Set([...prev.nodes, node])] : [node];
          this.#artifacts.set(a.id, { ...a, nodes, manifest: m.id });
        }
      }
    }
    for (const id of this.#artifacts.keys()) this.#required.push(id);
  }

  async #scanArtifacts(): Promise<void> {
    const ids = [...this.#artifacts.keys()];
    const results = new Map<string, SourceItem | ValidationFailure | undefined>();
    let at = 0;
    const worker = async () => {
      while (at < ids.length) {
        const id = ids[at++]!;
        const copies = copiesOf(this.#sources, id, "artifact", this.#options.signal);
        results.set(id, await findArtifact(copies, this.#artifacts.get(id)!));
      }
    };
    const n = Math.max(1, Math.min(this.#options.concurrency ?? 4, ids.length));
    await Promise.all(Array.from({ length: n }, worker));
    for (const id of ids) {
      const r = results.get(id);
      if (r === undefined) this.#missing.push(id);
      else if ("code" in r) this.#invalid.set(id, r);
      else this.#found.set(id, r);
    }
  }

  #assertBuilt(): void {
    if (!this.#built) throw new TypeError("Cannot report: call build() first");
  }

  /** Id of the manifest being installed. */
  getInitialManifestId(): string | undefined {
    return this.#chain[0]?.id ?? this.#required[0] ?? this.#manifestId;
  }

  /** True when every manifest of the chain was found and is valid: the required list is final. */
  isChainComplete(): boolean {
    this.#assertBuilt();
    return this.#chainComplete;
  }

  /** The valid manifests of the chain, from the one being installed to its root ancestor. */
  getManifestChain(): Manifest[] {
    this.#assertBuilt();
    return [...this.#chain];
  }

  /** The manifest id that no source holds (the chain stops there), if any. */
  getMissingManifestId(): string | undefined {
    this.#assertBuilt();
    return this.#missingManifestId;
  }

  /** Ids the chain requires: its manifests, then the artifacts. Final only once the chain is complete. */
  getRequiredArtifacts(): string[] {
    this.#assertBuilt();
    return [...this.#required];
  }

  /** True when the chain is complete and every required id is available and valid. */
  isComplete(): boolean {
    this.#assertBuilt();
    return this.#chainComplete && this.#missing.length === 0 && this.#invalid.size === 0;
  }

  /** Required ids no source holds. */
  getMissing(): string[] {
    this.#assertBuilt();
    return [...this.#missing];
  }

  /** The first missing id, if any. */
  getFirstMissing(): string | undefined {
    this.#assertBuilt();
    return this.#missing[0];
  }

  /** Required ids for which only damaged copies were found (also listed by {@linkcode getInvalid}). */
  getCorrupt(): string[] {
    this.#assertBuilt();
    return [...this.#invalid].filter(([, f]) => isCorruptCode(f.code)).map(([id]) => id);
  }

  /** Required ids that cannot be installed, with the reason (corrupt ones included). */
  getInvalid(): Map<string, ValidationFailure> {
    this.#assertBuilt();
    return new Map(this.#invalid);
  }

  /** Required ids with a valid copy: required minus missing minus invalid. */
  getAvailable(): string[] {
    this.#assertBuilt();
    return this.#required.filter((id) => this.#found.has(id));
  }

  /** The chain's entry for an artifact id; `undefined` for manifests and ids outside the chain. */
  getManifestArtifact(id: string): RequiredArtifact | undefined {
    this.#assertBuilt();
    const a = this.#artifacts.get(id);
    return a && { ...a, nodes: [...a.nodes] };
  }

  /** The valid copy of a required id (manifest or artifact), to open and install. */
  getArtifact(id: string): SourceItem | undefined {
    this.#assertBuilt();
    return this.#found.get(id);
  }
}
