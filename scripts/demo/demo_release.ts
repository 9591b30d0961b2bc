/**
 * A release of the demo's app `drover/hello`: its files (a `bin/check` health check that fails on
 * a device holding the marker `fail-<version>` in its directory, given as `$DROVER_DEMO_DEVICE`),
 * its commit, and publishing it through `repo add-app` (the repository builder, with `--rollout`
 * when staged) into the directory the edge serves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { demoRelease } from "./demo_release.ts";
 * const release = demoRelease("1.1.0", { story: "breaks on rev-a", fails: () => false });
 * assert.equal(release.commit.length, 40);
 * assert.match(release.files["bin/check"]!, /fail-1\.1\.0/);
 * ```
 * @module
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { packTar } from "modern-tar";
import type { DevApp } from "../../edge/dev_repository.ts";
import { runRepo } from "../repo/main.ts";

/** The app every simulated device runs. */
export const DEMO_APP = { name: "drover/hello", ref: "main" } as const;

/** Which devices a release's health check fails on (by the device's index and labels). */
export type FailsOn = (device: { index: number; labels: Record<string, string> }) => boolean;

/** One release: what it is, and the devices its health check fails on. */
export interface DemoRelease {
  version: string;
  commit: string;
  /** `repo add-app --rollout` steps, for a staged release. */
  rollout?: string;
  /** What happens with it, for the progress line. */
  story: string;
  fails: FailsOn;
  files: Record<string, string>;
}

/** The release `version` of `drover/hello`. */
export function demoRelease(
  version: string,
  options: { story: string; fails: FailsOn; rollout?: string },
): DemoRelease {
  const commit = createHash("sha1").update(`drover-demo hello ${version}`).digest("hex");
  const check = [
    "#!/bin/sh",
    `# health check of drover/hello ${version}: fails where the demo left the marker fail-${version}`,
    `if [ -n "$DROVER_DEMO_DEVICE" ] && [ -e "$DROVER_DEMO_DEVICE/fail-${version}" ]; then`,
    `  echo "hello ${version}: ${options.story}" >&2`,
    "  exit 1",
    "fi",
    "exit 0",
    "",
  ].join("\n");
  return {
    version,
    commit,
    rollout: options.rollout,
    story: options.story,
    fails: options.fails,
    files: {
      "hello.sh": `#!/bin/sh\necho 'Hello from Drover ${version}'\n`,
      "bin/check": check,
      "README.md": `# hello ${version}\nA release of the Drover demo.\n`,
    },
  };
}

/** The release as development-repository content (the first release, made with the repository). */
export function devApp(release: DemoRelease): DevApp {
  return { ...DEMO_APP, commit: release.commit, version: release.version, files: release.files };
}

/**
 * Publishes `release` with `repo add-app` into `repoDir` (keys in `keysDir`), its archive written
 * to `archiveDir` first. Throws with the command's own message when it fails.
 */
export async function publishRelease(
  release: DemoRelease,
  dirs: { repoDir: string; keysDir: string; archiveDir: string },
): Promise<void> {
  const archive = join(dirs.archiveDir, `hello-${release.version}.tar.gz`);
  await writeFile(archive, await tarGz(release.files));
  let errors = "";
  const code = await runRepo([
    "add-app",
    "--repo",
    dirs.repoDir,
    "--keys",
    dirs.keysDir,
    "--name",
    DEMO_APP.name,
    "--ref",
    DEMO_APP.ref,
    "--commit",
    release.commit,
    "--version",
    release.version,
    "--file",
    archive,
    ...(release.rollout ? ["--rollout", release.rollout] : []),
  ], { stdout: () => {}, stderr: (text) => (errors += text), env: {} });
  if (code !== 0) {
    throw new Error(`Cannot publish drover/hello ${release.version}: ${errors.trim() || `exit ${code}`}`);
  }
}

async function tarGz(files: Record<string, string>): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const tar = await packTar(
    Object.entries(files).map(([name, text]) => {
      const body = encoder.encode(text);
      const mode = name.endsWith(".sh") || name.startsWith("bin/") ? 0o755 : 0o644;
      return { header: { name, size: body.byteLength, mode, mtime: new Date(0) }, body };
    }),
  );
  const gz = new Blob([tar]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(gz).arrayBuffer());
}
