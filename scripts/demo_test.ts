import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, snapshotTree } from "../test/harness.ts";

/** A sandbox: `cwd` (with its own `.data`), a `DROVER_DATA` elsewhere, and the child's TMPDIR. */
async function sandbox() {
  const root = await Deno.makeTempDir({ prefix: "drover-demo-test-" });
  const cwd = join(root, "cwd");
  const dataEnv = join(root, "drover-data");
  const tmp = join(root, "tmp");
  await mkdir(join(cwd, ".data"), { recursive: true });
  await writeFile(join(cwd, ".data", "sentinel"), "the real ./.data\n");
  await mkdir(dataEnv, { recursive: true });
  await writeFile(join(dataEnv, "sentinel"), "the real DROVER_DATA\n");
  await mkdir(tmp);
  return {
    root,
    cwd,
    dataEnv,
    tmp,
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** `deno run scripts/demo.ts ARGS` as a child in the sandbox (stdout and stderr piped). */
function spawnDemo(
  box: { cwd: string; dataEnv: string; tmp: string },
  args: string[],
  env: Record<string, string> = {},
) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(ROOT, "deno.json"), join(ROOT, "scripts", "demo.ts"), ...args],
    cwd: box.cwd,
    env: { TMPDIR: box.tmp, DROVER_DATA: box.dataEnv, PORT: "", NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads `stream` as text into `sink.text`; resolves at its end. */
async function collect(stream: ReadableStream<Uint8Array>, sink: { text: string }): Promise<void> {
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) sink.text += chunk;
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, log: () => string): Promise<T> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}\n${log()}`);
}

Deno.test("demo: an edge with a simulated fleet; leaves ./.data and DROVER_DATA alone; SIGINT cleans up", async () => {
  await using box = await sandbox();
  const before = { data: await snapshotTree(join(box.cwd, ".data")), env: await snapshotTree(box.dataEnv) };
  const child = spawnDemo(box, ["--port", "0", "--devices", "6", "--interval", "0.3"]);
  const out = { text: "" }, err = { text: "" };
  const reading = Promise.all([collect(child.stdout, out), collect(child.stderr, err)]);
  const log = () => `stdout:\n${out.text}\nstderr:\n${err.text}`;
  let status: Deno.CommandStatus | undefined;
  try {
    const banner = await waitFor("the banner", () => {
      const url = /Dashboard: +(http:\/\/127\.0\.0\.1:\d+)\/ui\/\n/.exec(out.text)?.[1];
      const token = /Operator token: +(\S+)\n/.exec(out.text)?.[1];
      const dir = /Working in: +(\S+) \(/.exec(out.text)?.[1];
      return Promise.resolve(url && token && dir ? { url, token, dir } : undefined);
    }, log);
    assert.ok(
      banner.dir.startsWith(box.tmp + "/"),
      `the working directory ${banner.dir} is a fresh temporary one`,
    );
    const auth = { authorization: `Bearer ${banner.token}` };
    const get = async (path: string) => {
      const res = await fetch(banner.url + path, { headers: auth });
      return res.ok ? await res.json() : (await res.body?.cancel(), undefined);
    };
    const summary = await waitFor("devices enrolled with an install outcome", async () => {
      const s = await get("/v1/fleet/summary");
      const outcomes = s && s.lastInstall.ok + s.lastInstall.error + s.lastInstall.rolledBack;
      return s?.devices.total === 6 && s.devices.accepted === 6 && outcomes > 0 ? s : undefined;
    }, log);
    assert.equal(summary.apps[0].name, "drover/hello");
    // the operator CLI's line runs as printed, with Deno as this test runs it, from the sandbox
    const deno = Deno.execPath().includes("/node_modules/") ? `npx -y deno@${Deno.version.deno}` : "deno";
    const fleetLine = /\n {2}(DROVER_EDGE=\S+ DROVER_OPERATOR_TOKEN=\S+ .*)\n/.exec(out.text)?.[1] ?? "";
    assert.ok(
      fleetLine.endsWith(` ${deno} task --config ${join(ROOT, "deno.json")} fleet summary`),
      fleetLine,
    );
    const fleet = await new Deno.Command("sh", {
      args: ["-c", fleetLine],
      cwd: box.cwd,
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    assert.equal(fleet.code, 0, new TextDecoder().decode(fleet.stderr));
    assert.match(new TextDecoder().decode(fleet.stdout), /^devices +6 \(accepted 6/);
    // device 2 is on board rev-a: release 1.1.0's health check fails there, and it rolls back
    await waitFor("a rollback reported by a rev-a device", async () => {
      const list = await get("/v1/fleet/devices?label=board=rev-a");
      const device = list?.items[0] && await get(`/v1/fleet/devices/${list.items[0].id}`);
      const stages = (device?.reports ?? []).map((r: { stage: string; errorCode: string | null }) =>
        `${r.stage}:${r.errorCode ?? ""}`
      );
      return stages.includes("health:E_HEALTH") && stages.includes("rollback:") ? true : undefined;
    }, log);
    // the dashboard: sign in with the printed token, then the overview
    const login = await fetch(`${banner.url}/ui/login`);
    assert.equal(login.status, 200);
    await login.body?.cancel();
    const signIn = await fetch(`${banner.url}/ui/login`, {
      method: "POST",
      headers: { origin: banner.url, "sec-fetch-site": "same-origin" },
      body: new URLSearchParams({ token: banner.token, next: "/ui/" }),
      redirect: "manual",
    });
    await signIn.body?.cancel();
    assert.equal(signIn.status, 303);
    const cookie = signIn.headers.get("set-cookie")?.split(";")[0];
    assert.ok(cookie, "a session cookie");
    const overview = await fetch(`${banner.url}/ui/`, { headers: { cookie } });
    assert.equal(overview.status, 200);
    assert.match(await overview.text(), /drover\/hello/);
    child.kill("SIGINT");
    status = await child.status;
    await reading;
    assert.equal(status.code, 0, log());
    assert.match(err.text, /^round 1 \(/m);
    assert.match(err.text, /stopped; removed /);
    assert.deepEqual(await readdir(box.tmp), [], "the working directory is removed");
    assert.deepEqual(await snapshotTree(join(box.cwd, ".data")), before.data, "./.data untouched");
    assert.deepEqual(await snapshotTree(box.dataEnv), before.env, "DROVER_DATA untouched");
  } finally {
    if (!status) {
      child.kill("SIGKILL");
      await child.status;
      await reading;
    }
  }
});

Deno.test("demo: a port in use fails clearly (exit 1) and leaves nothing behind", async () => {
  await using box = await sandbox();
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = String(listener.addr.port);
  const out = await spawnDemo(box, ["--devices", "2"], { PORT: port }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 1, stderr);
  assert.match(stderr, new RegExp(`Cannot start the edge: 127\\.0\\.0\\.1:${port} is in use`));
  assert.deepEqual(await readdir(box.tmp), []);
});

Deno.test("demo: bad command lines exit 2; --dir refuses ./.data, DROVER_DATA and a foreign repository", async () => {
  await using box = await sandbox();
  const foreign = join(box.root, "foreign");
  await mkdir(join(foreign, "tuf"), { recursive: true });
  await writeFile(join(foreign, "tuf", "root.json"), "{}");
  const cases: [string[], number, RegExp][] = [
    [["--devices", "0"], 2, /--devices needs a whole number from 1 to 500/],
    [["--port", "http"], 2, /--port needs a whole number/],
    [["--bogus"], 2, /bogus/],
    [["--dir", ".data"], 1, /Cannot use --dir \.data: it is or overlaps \.\/\.data/],
    [["--dir", box.dataEnv], 1, /it is or overlaps \$DROVER_DATA/],
    [["--dir", foreign], 1, /holds a repository and was not made by the demo/],
  ];
  for (const [args, code, message] of cases) {
    const out = await spawnDemo(box, args).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, code, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, message, args.join(" "));
  }
  assert.deepEqual(await readdir(box.tmp), []);
});
