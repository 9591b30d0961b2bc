/**
 * A hand-built static TUF repository for tests that need what Drover's `RepositoryWriter` never
 * writes: ECDSA and RSA-PSS keys (made by WebCrypto or `node:crypto`), thresholds over a mix of
 * key types, `consistent_snapshot: false`, targets listing sha384/sha512 only, and metadata
 * references with any hashes. Files are laid out as a repository is served: `tuf/<N>.root.json`,
 * `tuf/timestamp.json`, `tuf/<N>.<role>.json` (or `tuf/<role>.json` without consistent snapshots),
 * and `targets/<dir>/<hash>.<name>` for each listed hash (or `targets/<path>`).
 *
 * @example
 * ```ts ignore
 * import { ecdsaSigner, rsaSigner, TufFixture } from "./tuf_fixture.ts";
 * const repo = await TufFixture.create({ signers: { root: [await ecdsaSigner()], targets: [rsaSigner()] } });
 * repo.addTarget("a.txt", new TextEncoder().encode("a"), { hashes: ["sha512"] });
 * await repo.publish();
 * await repo.writeTo("/tmp/repo");
 * ```
 * @module
 */
import { constants, createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  encodeMetadata,
  type Envelope,
  generateKeyPair,
  keyIdOf,
  type KeyPair,
  keyToTuf,
  type RoleName,
  type TufKey,
} from "../core/trust/mod.ts";
import { canonicalBytes } from "../core/trust/envelope.ts";
import { signBytes } from "../core/trust/key_pair.ts";

/** A key that signs TUF metadata. */
export interface TestSigner {
  keyid: string;
  tuf: TufKey;
  /** Signature of canonical bytes, hex, encoded as the scheme wants. */
  sign(data: Uint8Array<ArrayBuffer>): Promise<string>;
}

/** A Drover key pair (Ed25519 or ECDSA by WebCrypto) as a signer. */
export function keyPairSigner(key: KeyPair): TestSigner {
  return { keyid: key.keyid, tuf: keyToTuf(key), sign: (data) => signBytes(key, data) };
}

/** An Ed25519 signer (WebCrypto). */
export async function ed25519Signer(): Promise<TestSigner> {
  return keyPairSigner(await generateKeyPair());
}

/** An ECDSA P-256 signer (WebCrypto; DER signatures, PEM public key). */
export async function ecdsaSigner(): Promise<TestSigner> {
  return keyPairSigner(await generateKeyPair({ keyType: "ecdsa" }));
}

/**
 * An RSA-PSS (`rsassa-pss-sha256`) signer made by `node:crypto`, signing with the maximum salt
 * length (securesystemslib's choice) unless `saltLength` says otherwise.
 */
export function rsaSigner(options: { bits?: number; saltLength?: number } = {}): TestSigner {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: options.bits ?? 2048 });
  const tuf: TufKey = {
    keytype: "rsa",
    scheme: "rsassa-pss-sha256",
    keyval: { public: publicKey.export({ type: "spki", format: "pem" }) as string },
  };
  const key: KeyObject = privateKey;
  return {
    keyid: keyIdOf(tuf),
    tuf,
    sign: (data) =>
      Promise.resolve(
        sign("sha256", data, {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: options.saltLength ?? constants.RSA_PSS_SALTLEN_MAX_SIGN,
        }).toString("hex"),
      ),
  };
}

type Signed = Record<string, unknown> & { version: number };
type TargetHash = "sha256" | "sha384" | "sha512";

/** Options of {@linkcode TufFixture.create}. */
export interface TufFixtureOptions {
  /** Keys of each role; roles left out get one fresh Ed25519 key. */
  signers?: Partial<Record<RoleName, TestSigner[]>>;
  thresholds?: Partial<Record<RoleName, number>>;
  /** Default true. */
  consistentSnapshot?: boolean;
  /** Hash algorithms of snapshot/timestamp references (default sha256). */
  metaHashes?: string[];
  /** Expiry of every role (default a year from now). */
  expires?: Date;
}

/** A repository in memory: its files by path. */
export class TufFixture {
  readonly files: Map<string, Uint8Array> = new Map();
  readonly signers: Record<RoleName, TestSigner[]>;
  readonly consistent: boolean;
  root!: Signed;
  #targets = new Map<string, { length: number; hashes: Record<string, string>; custom?: unknown }>();
  #versions: Record<RoleName, number> = { root: 0, targets: 0, snapshot: 0, timestamp: 0 };
  #options: TufFixtureOptions;

  private constructor(signers: Record<RoleName, TestSigner[]>, options: TufFixtureOptions) {
    this.signers = signers;
    this.consistent = options.consistentSnapshot !== false;
    this.#options = options;
  }

  /** A repository with root v1 and empty targets, snapshot and timestamp v1. */
  static async create(options: TufFixtureOptions = {}): Promise<TufFixture> {
    const signers = {} as Record<RoleName, TestSigner[]>;
    for (const role of ["root", "targets", "snapshot", "timestamp"] as const) {
      signers[role] = options.signers?.[role] ?? [await ed25519Signer()];
    }
    const repo = new TufFixture(signers, options);
    await repo.publishRoot();
    await repo.publish();
    return repo;
  }

  /** The bytes of root v1, for clients to trust. */
  get trustedRoot(): Uint8Array {
    return this.files.get("tuf/1.root.json")!;
  }

  /** Add or replace a target, listing `hashes` (default sha256) and `custom`, and store its file(s). */
  addTarget(
    path: string,
    bytes: Uint8Array,
    options: { hashes?: TargetHash[]; custom?: unknown } = {},
  ): void {
    const hashes: Record<string, string> = {};
    for (const algorithm of options.hashes ?? ["sha256"]) {
      hashes[algorithm] = createHash(algorithm).update(bytes).digest("hex");
    }
    this.#targets.set(path, {
      length: bytes.length,
      hashes,
      ...(options.custom ? { custom: options.custom } : {}),
    });
    const slash = path.lastIndexOf("/");
    if (!this.consistent) this.files.set(`targets/${path}`, bytes);
    else {
      for (const hash of Object.values(hashes)) {
        this.files.set(`targets/${path.slice(0, slash + 1)}${hash}.${path.slice(slash + 1)}`, bytes);
      }
    }
  }

  /** Sign root v+1 (`edit` may change it first) with `signers` (default: the root role's). */
  async publishRoot(
    options: { edit?: (signed: Signed) => void; signers?: TestSigner[] } = {},
  ): Promise<void> {
    const keys: Record<string, TufKey> = {};
    const roles: Record<string, { keyids: string[]; threshold: number }> = {};
    for (const [role, list] of Object.entries(this.signers)) {
      for (const s of list) keys[s.keyid] = s.tuf;
      roles[role] = {
        keyids: list.map((s) => s.keyid),
        threshold: this.#options.thresholds?.[role as RoleName] ?? 1,
      };
    }
    const signed: Signed = {
      _type: "root",
      spec_version: "1.0.31",
      version: ++this.#versions.root,
      expires: this.#expires(),
      consistent_snapshot: this.consistent,
      keys,
      roles,
    };
    options.edit?.(signed);
    const bytes = encodeMetadata(await this.sign(signed, options.signers ?? this.signers.root));
    this.root = signed;
    this.files.set(`tuf/${signed.version}.root.json`, bytes);
    this.files.set("tuf/root.json", bytes);
  }

  /**
   * Sign targets, snapshot and timestamp v+1 over the current targets. `edit` may change each role's
   * signed part before it is signed (e.g. the hashes of a reference); `signers` replaces a role's.
   */
  async publish(
    options: {
      edit?: (role: RoleName, signed: Signed) => void;
      signers?: Partial<Record<RoleName, TestSigner[]>>;
    } = {},
  ): Promise<void> {
    const put = async (role: RoleName, signed: Signed): Promise<Uint8Array> => {
      options.edit?.(role, signed);
      const bytes = encodeMetadata(await this.sign(signed, options.signers?.[role] ?? this.signers[role]));
      const name = role === "timestamp" || !this.consistent
        ? `${role}.json`
        : `${signed.version}.${role}.json`;
      this.files.set(`tuf/${name}`, bytes);
      return bytes;
    };
    const common = (role: RoleName) => ({
      _type: role,
      spec_version: "1.0.31",
      version: ++this.#versions[role],
      expires: this.#expires(),
    });
    const targets = await put("targets", {
      ...common("targets"),
      targets: Object.fromEntries(this.#targets),
    });
    const snapshot = await put("snapshot", {
      ...common("snapshot"),
      meta: { "targets.json": this.#ref(this.#versions.targets, targets) },
    });
    await put("timestamp", {
      ...common("timestamp"),
      meta: { "snapshot.json": this.#ref(this.#versions.snapshot, snapshot) },
    });
  }

  /** `signed` signed by each of `signers` (over its canonical JSON). */
  async sign(signed: Signed, signers: TestSigner[]): Promise<Envelope<Signed>> {
    const data = canonicalBytes(signed);
    const signatures = [];
    for (const s of signers) signatures.push({ keyid: s.keyid, sig: await s.sign(data) });
    return { signed, signatures };
  }

  /** A fetcher for core/trust `refreshTrust` (repository-relative paths). */
  fetch = (path: string): Promise<Uint8Array | undefined> => Promise.resolve(this.files.get(path)?.slice());

  /** Write every file under `dir`, to be served over HTTP. */
  async writeTo(dir: string): Promise<void> {
    for (const [path, bytes] of this.files) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), bytes);
    }
  }

  #ref(version: number, bytes: Uint8Array): Record<string, unknown> {
    const hashes: Record<string, string> = {};
    for (const algorithm of this.#options.metaHashes ?? ["sha256"]) {
      hashes[algorithm] = createHash(algorithm).update(bytes).digest("hex");
    }
    return { version, length: bytes.length, hashes };
  }

  #expires(): string {
    const at = this.#options.expires ?? new Date(Date.now() + 365 * 86_400_000);
    return at.toISOString().replace(/\.\d{3}Z$/, "Z");
  }
}
