/**
 * A complete, signed development repository written through a {@linkcode Storage} with the same
 * code `scripts/repo.ts` uses (core/trust `RepositoryWriter`): device types, app releases (tar.gz
 * made in memory) and OS images. `deno task start` makes one on first start with an empty store;
 * tests use it with richer content.
 * @module
 */
import { packTar } from "modern-tar";
import { getAbilities } from "../core/abilities.ts";
import { VerifyStream } from "../core/verify/mod.ts";
import {
  appTargetPath,
  DEVICE_TYPES_PATH,
  generateKeyPair,
  imageTargetPath,
  RepositoryWriter,
  targetUrl,
} from "../core/trust/mod.ts";
import type { KeyPair, RoleKeys, TargetCustom } from "../core/trust/mod.ts";
import type { DeviceType } from "../core/version/mod.ts";
import type { Rollout } from "../core/rollout/mod.ts";
import type { Storage } from "./storage/storage.ts";

/**
 * An app release to include: its files are packed into a `.tar.gz`, with a `.deploy`
 * (`{"name","ref","commit"}`) at its root as radiodan's deploy tool made them: the original radiodan
 * updater knows an installed app only by `current/.deploy`.
 */
export interface DevApp {
  name: string;
  ref: string;
  commit: string;
  files: Record<string, string>;
  version?: string;
  /** A signed staged rollout (core/rollout) in the release's `custom.rollout`. */
  rollout?: Rollout;
}

/** An OS image to include. */
export interface DevImage {
  deviceType: string;
  version: string;
  variant?: "prod" | "dev";
  prerelease?: boolean;
  recommended?: boolean;
  basename?: string;
  bytes: Uint8Array;
}

/** What goes into the repository. */
export interface DevContent {
  deviceTypes: DeviceType[];
  apps: DevApp[];
  images: DevImage[];
}

/** The demo content: one device type (alias `rpi4`), one app release, one image. */
export const DEMO_CONTENT: DevContent = {
  deviceTypes: [{ slug: "raspberrypi4-64", name: "Raspberry Pi 4 (64 bit)", aliases: ["rpi4"] }],
  apps: [{
    name: "drover/hello",
    ref: "main",
    commit: "0123456789abcdef0123456789abcdef01234567",
    files: { "hello.sh": "#!/bin/sh\necho 'Hello from Drover'\n", "README.md": "# hello\nA demo release.\n" },
  }],
  images: [{
    deviceType: "raspberrypi4-64",
    version: "1.0.0",
    basename: "drover-os.img",
    bytes: new TextEncoder().encode("DROVER DEMO IMAGE\n".repeat(1024)),
  }],
};

/**
 * Writes a new repository into `storage` (which must be empty) and returns the keys used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDevRepository, DEMO_CONTENT } from "./dev_repository.ts";
 * import { FsStorage } from "./storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const { keys } = await createDevRepository(new FsStorage(dir), { content: DEMO_CONTENT });
 * assert.equal(keys.timestamp.keyid.length, 64);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function createDevRepository(
  storage: Storage,
  options: { content?: DevContent; keys?: RoleKeys; now?: Date; expiresDays?: number } = {},
): Promise<{ keys: RoleKeys; versions: Record<string, number> }> {
  const content = options.content ?? DEMO_CONTENT;
  const keys = options.keys ?? await generateKeys();
  const writer = await RepositoryWriter.init(storage, keys, {
    now: options.now,
    expiresDays: options.expiresDays,
  });
  const add = async (path: string, bytes: Uint8Array, custom: TargetCustom, withSha1 = false) => {
    const hashes = await storeBlob(storage, path, bytes);
    writer.setTarget(path, {
      length: bytes.byteLength,
      hashes: withSha1 ? hashes : { sha256: hashes.sha256 },
      custom,
    });
  };
  const types = new TextEncoder().encode(
    JSON.stringify({ deviceTypes: content.deviceTypes }, null, 2) + "\n",
  );
  await add(DEVICE_TYPES_PATH, types, { kind: "device-types" });
  const updated = (options.now ?? new Date()).toISOString();
  let serial = 0;
  for (const app of content.apps) {
    const path = appTargetPath({ name: app.name, ref: app.ref, commit: app.commit, ext: ".tar.gz" });
    const custom = {
      kind: "app",
      name: app.name,
      ref: app.ref,
      commit: app.commit,
      serial: ++serial,
      updated,
    } as const;
    const deploy = JSON.stringify({ name: app.name, ref: app.ref, commit: app.commit }) + "\n";
    const archive = await tarGz({ ".deploy": deploy, ...app.files });
    const extra = {
      ...(app.version ? { version: app.version } : {}),
      ...(app.rollout ? { rollout: app.rollout } : {}),
    };
    await add(path, archive, { ...custom, ...extra }, true);
  }
  for (const image of content.images) {
    const variant = image.variant ?? "prod";
    const basename = image.basename ?? "os.img";
    const path = imageTargetPath({ deviceType: image.deviceType, version: image.version, variant, basename });
    const custom = {
      kind: "image",
      deviceType: image.deviceType,
      version: image.version,
      variant,
      prerelease: image.prerelease ?? false,
    } as const;
    await add(path, image.bytes, image.recommended ? { ...custom, recommended: true } : custom);
  }
  const { versions } = await writer.commit();
  return { keys, versions };
}

/** Four fresh Ed25519 keys, one per role. */
export async function generateKeys(): Promise<RoleKeys> {
  const [root, targets, snapshot, timestamp] = await Promise.all(
    [0, 1, 2, 3].map(() => generateKeyPair()),
  ) as [KeyPair, KeyPair, KeyPair, KeyPair];
  return { root, targets, snapshot, timestamp };
}

async function storeBlob(
  storage: Storage,
  path: string,
  bytes: Uint8Array,
): Promise<{ sha256: string; sha1: string }> {
  const hex = (algorithm: "sha256" | "sha1") => {
    const h = getAbilities().createHasher(algorithm);
    h.update(bytes);
    return [...h.digest()].map((b) => b.toString(16).padStart(2, "0")).join("");
  };
  const sha256 = hex("sha256");
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  await storage.putBlob(sha256, body.pipeThrough(new VerifyStream({ sha256, length: bytes.byteLength })), {
    length: bytes.byteLength,
  });
  await storage.linkBlob?.(sha256, targetUrl(path, sha256));
  return { sha256, sha1: hex("sha1") };
}

async function tarGz(files: Record<string, string>): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const tar = await packTar(
    Object.entries(files).map(([name, text]) => {
      const body = encoder.encode(text);
      return {
        header: {
          name,
          size: body.byteLength,
          mode: name.endsWith(".sh") ? 0o755 : 0o644,
          mtime: new Date(0),
        },
        body,
      };
    }),
  );
  const gz = new Blob([tar]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(gz).arrayBuffer());
}
