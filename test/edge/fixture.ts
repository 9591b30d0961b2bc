/**
 * Test fixture shared by the edge suites: repository content with several image versions
 * (pre-release, recommended, dev variant, aliases) and two apps, the keys, and helpers.
 * @module
 */
import { generateKeyPair, RepositoryWriter } from "../../core/trust/mod.ts";
import type { KeyPair, RoleKeys } from "../../core/trust/mod.ts";
import { createDevRepository, type DevContent, generateKeys } from "../../edge/dev_repository.ts";
import type { Storage } from "../../edge/storage/storage.ts";
import { createApp } from "../../edge/app.ts";

/** Token the suites publish with. */
export const TOKEN = "test-token-0123456789";
/** Upload cap the suites configure (bytes). */
export const MAX_UPLOAD = 64 * 1024;

const image = (n: number) => new Uint8Array(4096 + n).map((_, i) => (i * 31 + n) & 0xff);

/** What the suite expects to find. */
export const FIXTURE_CONTENT: DevContent = {
  deviceTypes: [
    { slug: "raspberrypi4-64", name: "Raspberry Pi 4 (64 bit)", aliases: ["rpi4", "raspberrypi4"] },
    { slug: "intel-nuc", aliases: ["nuc"] },
  ],
  apps: [
    {
      name: "radiodan/magic-button",
      ref: "master",
      commit: "68200ec154d6dbdcc648e5706bb860c57b7fb621",
      files: { "a.txt": "A\n" },
    },
    {
      name: "radiodan/magic-button",
      ref: "radiotag",
      commit: "307c9c98dd229ba770ee3ad025ffa069bc860e61",
      files: { "b": "B\n" },
    },
  ],
  images: [
    { deviceType: "raspberrypi4-64", version: "2.88.4+rev1", bytes: image(1), basename: "os.img" },
    { deviceType: "raspberrypi4-64", version: "2.88.4+rev2", bytes: image(2), basename: "os.img" },
    {
      deviceType: "raspberrypi4-64",
      version: "2.88.4+rev2",
      variant: "dev",
      bytes: image(3),
      basename: "os.img",
    },
    {
      deviceType: "raspberrypi4-64",
      version: "2.89.0-beta.1",
      prerelease: true,
      bytes: image(4),
      basename: "os.img",
    },
    { deviceType: "intel-nuc", version: "1.0.0", bytes: image(5), basename: "nuc.img" },
  ],
};

/** Keys plus a key no role trusts (for refused publishes). */
export interface FixtureKeys extends RoleKeys {
  stranger: KeyPair;
}

/** Fresh keys for a fixture. */
export async function fixtureKeys(): Promise<FixtureKeys> {
  return { ...await generateKeys(), stranger: await generateKeyPair() };
}

/** Writes the fixture repository into `storage`. */
export async function writeFixture(
  storage: Storage,
  keys: RoleKeys,
  options: { now?: Date } = {},
): Promise<void> {
  await createDevRepository(storage, { content: FIXTURE_CONTENT, keys, now: options.now });
}

/** Lower-case hex sha256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The fixture repository in `storage` with a delegated targets role `acme` (paths `apps/acme/*\/*\/*`)
 * signed by a fresh team key, and an edge app over it publishing with {@linkcode TOKEN}.
 */
export async function delegatedEdge(storage: Storage): Promise<{
  keys: FixtureKeys;
  team: KeyPair;
  app: ReturnType<typeof createApp>;
}> {
  const keys = await fixtureKeys();
  await writeFixture(storage, keys);
  const team = await generateKeyPair();
  const org = await RepositoryWriter.open(storage, keys);
  await org.delegate({ name: "acme", keys: [team], paths: ["apps/acme/*/*/*"] }, [team]);
  const app = createApp({
    storage,
    keys: { snapshot: keys.snapshot, timestamp: keys.timestamp },
    config: { token: TOKEN },
  });
  return { keys, team, app };
}
