/**
 * Deltas through the edge's publish path, shared by `edge_delta_deno_test.ts` (`deno task start`,
 * file-system storage) and `edge_delta_worker_test.ts` (the Worker in workerd, R2): the edge starts
 * from a fresh repository's `tuf/` and its online keys; release 1 and release 2 (1 of 100 files
 * changed) are published with `repo add-app` (the bundled CLI, which writes the chunked form) and
 * `repo push` to the edge; a device (`node dist/drover.mjs`) installs release 1 in full, then updates
 * to release 2 by delta from the edge, fetching under 10% of the artifact by Range. Then the edge
 * refuses (409 `E_DELTA_LINK`) targets metadata whose delta link is broken: a pack the metadata does not
 * list, or one not uploaded (a pipeline that uploads only the archive); `repo push` then completes it.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseKeyFile, signEnvelope } from "../../core/trust/mod.ts";
import { runDrover, type RunResult } from "../harness.ts";
import { DeviceFixture, jsonOf } from "./device_fixture.ts";
import {
  addApp,
  APP,
  localTargets,
  push,
  type Pushed,
  servedAt,
  TOKEN,
  tree,
} from "./_edge_delta_release.ts";

export { TOKEN } from "./_edge_delta_release.ts";

/** A device fixture (repository, keys, provisioned device) and the edge's data directory made from it. */
export interface EdgeDeltaFixture {
  fx: DeviceFixture;
  /** The repository as the edge starts with it (no release yet), with `keys/{snapshot,timestamp}.json`. */
  data: string;
  /** The repository's online keys (the edge's `DROVER_SNAPSHOT_KEY`/`DROVER_TIMESTAMP_KEY`). */
  keyJson(role: "snapshot" | "timestamp"): Promise<string>;
}

/** The edge under test. */
export interface DeltaEdge {
  url: string;
  /** The edge's request log (`METHOD path status ms` lines), when it has one. */
  log?: () => string;
}

/** A fresh repository, a device with the app installed by hand (commit 0000000), and the edge's data. */
export async function edgeDeltaFixture(): Promise<EdgeDeltaFixture> {
  const fx = await DeviceFixture.create();
  await fx.installApp("radio", APP);
  const data = join(fx.dir, "edge-data");
  await Deno.mkdir(join(data, "keys"), { recursive: true });
  await Deno.mkdir(join(data, "tuf"));
  for await (const e of Deno.readDir(join(fx.repo, "tuf"))) {
    await Deno.copyFile(join(fx.repo, "tuf", e.name), join(data, "tuf", e.name));
  }
  const keyJson = (role: string) => Deno.readTextFile(join(fx.keys, `${role}.json`));
  for (const role of ["snapshot", "timestamp"] as const) {
    await Deno.writeTextFile(join(data, "keys", `${role}.json`), await keyJson(role), { mode: 0o600 });
  }
  return { fx, data, keyJson };
}

/** `drover ARGS --target T --workspace W [--api EDGE]` under Node (the bundle devices run). */
function device(fx: DeviceFixture, args: string[], edge?: DeltaEdge): Promise<RunResult> {
  return runDrover([...args, ...fx.args(), ...(edge ? ["--api", edge.url] : [])], { runtime: "node" });
}

/** What one release brought (paths of a push report): its archive, index and pack. */
function releaseTargets(list: Pushed[], commit: string) {
  const of = (suffix: string) => {
    const found = list.find((t) => t.path === `apps/${APP.name}/${APP.ref}/${commit}.tar.gz${suffix}`);
    assert.ok(found, `${commit}.tar.gz${suffix} in ${JSON.stringify(list.map((t) => t.path))}`);
    return found;
  };
  return { archive: of(""), index: of(".cidx"), pack: of(".cpack") };
}

/** The pack as devices fetch it: single byte ranges (206, Content-Range, the bytes), 416 past the end. */
async function assertRanges(fx: DeviceFixture, edge: DeltaEdge, pack: Pushed) {
  const local = await Deno.readFile(join(fx.repo, new URL(servedAt("http://x", pack)).pathname));
  assert.equal(local.length, pack.bytes);
  const n = pack.bytes;
  const spans = [[0, 0], [17, 4112], [n - 1000, n - 1], [Math.floor(n / 2), n + 5000]] as const;
  for (const [a, b] of spans) {
    const res = await fetch(servedAt(edge.url, pack), { headers: { range: `bytes=${a}-${b}` } });
    const body = new Uint8Array(await res.arrayBuffer());
    const end = Math.min(b, n - 1);
    assert.equal(res.status, 206, `bytes=${a}-${b}`);
    assert.equal(res.headers.get("content-range"), `bytes ${a}-${end}/${n}`);
    assert.equal(res.headers.get("content-length"), String(end - a + 1));
    assert.equal(res.headers.get("content-encoding"), null);
    assert.deepEqual(body, local.subarray(a, end + 1), `bytes=${a}-${b}`);
  }
  for (const range of [`bytes=${n}-`, `bytes=${n}-${n + 10}`]) {
    const res = await fetch(servedAt(edge.url, pack), { headers: { range } });
    const error = await res.json();
    assert.equal(res.status, 416, range);
    assert.equal(res.headers.get("content-range"), `bytes */${n}`);
    assert.equal(error.error.code, "E_RANGE");
  }
  const whole = await fetch(servedAt(edge.url, pack));
  assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), local, "the whole pack without Range");
}

/** Runs the scenario against `edge` (started from `f.data`). */
export async function runEdgeDeltaScenario(f: EdgeDeltaFixture, edge: DeltaEdge): Promise<void> {
  const { fx } = f;
  await addApp(fx, "aaaaaaa1", tree());
  const first = await push(fx, edge.url);
  const one = releaseTargets(first.uploaded, "aaaaaaa1");
  assert.equal(first.metadata.published, true);
  assert.equal(first.bytes.chunkedForm, one.index.bytes + one.pack.bytes);

  const full = await device(fx, ["update", "--json"], edge);
  assert.equal(full.code, 0, full.stderr);
  assert.equal(jsonOf(full).check.apps[0].delta, undefined, "release 1 is installed in full (no seed yet)");
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");

  const r2 = tree(new Set([50]));
  const size = (await Deno.stat(await addApp(fx, "bbbbbbb2", r2))).size;
  const second = await push(fx, edge.url);
  const two = releaseTargets(second.uploaded, "bbbbbbb2");
  assert.equal(second.uploaded.length, 3);
  assert.deepEqual(
    second.skipped.map((t: Pushed) => t.path).sort(),
    [one.archive, one.index, one.pack].map((t) => t.path).sort(),
    "release 1's targets are on the edge already",
  );
  assert.equal(second.bytes.chunkedForm, two.index.bytes + two.pack.bytes);
  await assertRanges(fx, edge, two.pack);

  const logBefore = edge.log?.().length ?? 0;
  const check = await device(fx, ["check", "--json"], edge);
  assert.equal(check.code, 0, check.stderr);
  const app = jsonOf(check).apps[0];
  assert.equal(app.action, "downloaded");
  assert.ok(app.delta, `a delta: ${JSON.stringify(app)}`);
  assert.ok(app.delta.fetched < 0.1 * size, `fetched ${app.delta.fetched} of ${size}`);
  assert.equal(app.delta.saved, size - app.delta.fetched);
  if (edge.log) {
    const lines = edge.log().slice(logBefore).split("\n");
    const path = (t: Pushed) => new URL(servedAt(edge.url, t)).pathname;
    assert.ok(lines.some((l) => l.startsWith(`GET ${path(two.pack)} 206 `)), "the pack is fetched by Range");
    assert.ok(
      !lines.some((l) => l.startsWith(`GET ${path(two.archive)} `)),
      "the full artifact is not fetched",
    );
  }

  const install = await device(fx, ["install"]);
  assert.equal(install.code, 0, install.stderr);
  assert.equal(await fx.currentCommit("radio"), "bbbbbbb2");
  for (const [rel, content] of Object.entries(r2)) {
    assert.equal(await Deno.readTextFile(join(fx.target, "radio/current", rel)), content, rel);
  }
  await assertBrokenLinksRefused(fx, edge);
}

async function versions(edge: DeltaEdge): Promise<Record<string, number>> {
  return (await (await fetch(`${edge.url}/healthz`)).json()).versions;
}

async function postMetadata(edge: DeltaEdge, body: Uint8Array) {
  const res = await fetch(`${edge.url}/v1/metadata`, {
    method: "POST",
    body: body as Uint8Array<ArrayBuffer>,
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
  });
  return { status: res.status, doc: await res.json() };
}

function assertDeltaLinkRefusal(
  answer: { status: number; doc: { error?: { code: string; message: string } } },
  message: RegExp,
) {
  assert.equal(answer.status, 409, JSON.stringify(answer.doc));
  assert.equal(answer.doc.error?.code, "E_DELTA_LINK");
  assert.match(answer.doc.error!.message, message);
}

/** Metadata with a broken delta link is refused (409 `E_DELTA_LINK`) and nothing is published. */
async function assertBrokenLinksRefused(fx: DeviceFixture, edge: DeltaEdge) {
  const before = await versions(edge);
  const current = await localTargets(fx);
  const unlisted = {
    ...current.signed,
    version: current.signed.version + 1,
    targets: { ...current.signed.targets },
  };
  delete unlisted.targets[`apps/${APP.name}/${APP.ref}/bbbbbbb2.tar.gz.cpack`];
  const key = parseKeyFile(await Deno.readTextFile(join(fx.keys, "targets.json")));
  const signed = new TextEncoder().encode(JSON.stringify(await signEnvelope(unlisted, [key])));
  assertDeltaLinkRefusal(
    await postMetadata(edge, signed),
    /bbbbbbb2\.tar\.gz links its delta pack .* does not list as a target/,
  );

  // release 3 from a pipeline that uploads the archive only: refused until its chunked form is there
  const file = await addApp(fx, "ccccccc3", tree(new Set([50, 51])));
  const next = await localTargets(fx);
  const entry = next.signed.targets[`apps/${APP.name}/${APP.ref}/ccccccc3.tar.gz`]!;
  const put = await fetch(`${edge.url}/v1/targets/${entry.hashes.sha256}`, {
    method: "PUT",
    body: await Deno.readFile(file),
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(put.status, 201, await put.text());
  assertDeltaLinkRefusal(
    await postMetadata(edge, await Deno.readFile(join(fx.repo, next.path))),
    /the chunked form .*ccccccc3\.tar\.gz\.c(idx|pack) that .*ccccccc3\.tar\.gz links is not uploaded/,
  );
  assert.deepEqual(await versions(edge), before, "nothing was published");

  const report = await push(fx, edge.url);
  assert.deepEqual(
    (report.uploaded as Pushed[]).map((t) => t.path).sort(),
    [".cidx", ".cpack"].map((ext) => `apps/${APP.name}/${APP.ref}/ccccccc3.tar.gz${ext}`),
  );
  assert.equal(report.metadata.targets, next.signed.version);
}
