import assert from "node:assert/strict";
import { buildRepo, runCommand, runDrover, tempDir } from "../harness.ts";
import { startDenoEdge } from "../edge/deno_child.ts";

async function deployed(target: string, app: string): Promise<Record<string, string>> {
  return JSON.parse(await Deno.readTextFile(`${target}/${app}/current/.deploy`));
}

async function oldRelease(
  target: string,
  release: { app: string; name: string; ref: string },
): Promise<void> {
  const { app, name, ref } = release;
  await Deno.mkdir(`${target}/${app}/releases/old`, { recursive: true });
  await Deno.writeTextFile(
    `${target}/${app}/releases/old/.deploy`,
    JSON.stringify({ name, ref, commit: "1111111" }),
  );
  await Deno.symlink("releases/old", `${target}/${app}/current`);
}

Deno.test("drover updates an app and gets an image from `deno task start`'s first-start repository", async () => {
  await using dir = await tempDir("edge-drover-");
  const edge = await startDenoEdge(`${dir.path}/data`);
  try {
    const root = `${dir.path}/data/tuf/1.root.json`;
    await oldRelease(`${dir.path}/apps`, { app: "hello", name: "drover/hello", ref: "main" });
    const common = ["--api", edge.url, "--trusted-root", root];
    const update = await runDrover([
      "update",
      "--target",
      `${dir.path}/apps`,
      "--workspace",
      `${dir.path}/ws`,
      ...common,
    ]);
    assert.equal(update.code, 0, update.stderr);
    assert.equal(
      (await deployed(`${dir.path}/apps`, "hello")).commit,
      "0123456789abcdef0123456789abcdef01234567",
    );
    assert.match(await Deno.readTextFile(`${dir.path}/apps/hello/current/hello.sh`), /Hello from Drover/);
    const image = await runDrover([
      "image",
      "get",
      "rpi4",
      "latest",
      "--output",
      `${dir.path}/os.img`,
      "--cache-dir",
      `${dir.path}/cache`,
      ...common,
    ]);
    assert.equal(image.code, 0, image.stderr);
    assert.equal((await Deno.stat(`${dir.path}/os.img`)).size, 18432);
  } finally {
    await edge.stop();
  }
});

Deno.test("a repository written by `deno task repo` is served as is with DROVER_DATA pointed at it", async () => {
  await using dir = await tempDir("edge-repo-");
  await Deno.mkdir(`${dir.path}/src`);
  await Deno.writeTextFile(`${dir.path}/src/run.sh`, "echo radio\n");
  const tar = await runCommand("tar", ["czf", `${dir.path}/app.tar.gz`, "-C", `${dir.path}/src`, "."]);
  assert.equal(tar.code, 0, tar.stderr);
  const repo = await buildRepo(`${dir.path}/repo`, [
    { name: "radiodan/magic-button", ref: "master", commit: "68200ec", file: `${dir.path}/app.tar.gz` },
  ]);
  const edge = await startDenoEdge(repo.dir);
  try {
    const releases = await (await fetch(`${edge.url}/releases`)).json();
    assert.equal(releases["radiodan/magic-button"].master.commit, "68200ec");
    assert.ok(releases["radiodan/magic-button"].master.file.startsWith(`${edge.url}/targets/`));
    await oldRelease(`${dir.path}/apps`, {
      app: "magic-button",
      name: "radiodan/magic-button",
      ref: "master",
    });
    const update = await runDrover([
      "update",
      "--target",
      `${dir.path}/apps`,
      "--workspace",
      `${dir.path}/ws`,
      "--api",
      edge.url,
      "--trusted-root",
      `${repo.dir}/tuf/1.root.json`,
    ]);
    assert.equal(update.code, 0, update.stderr);
    assert.equal((await deployed(`${dir.path}/apps`, "magic-button")).commit, "68200ec");
    assert.equal(await Deno.readTextFile(`${dir.path}/apps/magic-button/current/run.sh`), "echo radio\n");
  } finally {
    await edge.stop();
  }
});
