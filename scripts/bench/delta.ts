/**
 * `deno task bench --only delta`: what a delta fetches beside the full artifact (DESIGN §10).
 * App: 200 files (half text, half random), release 2 with 1 file changed and with 10% changed;
 * bytes fetched by `downloadDelta` vs the .tar.gz, beside `zstd --patch-from` and rsync (when
 * installed) on the same tar pair; index overhead. Install time over loopback HTTP both ways a
 * device takes, each against the full artifact taken the same way: `update` (the delta planned,
 * then reassembled into the extractor while its ranges are fetched; the .tar.gz downloaded into the
 * extractor) and `check` + `install` (the tar reassembled, or the .tar.gz downloaded, verified and
 * written, then extracted). Median of 5 of each (`DELTA_RUNS=n`: of n), all from the same runs,
 * which goes first rotating. Every delta starts from what a full install of release 1 leaves: its
 * .tar.gz kept as the seed, no chunk list cached, release 1's signed index on offer (fetched as the
 * seed's list, as a device's first delta after a full install does; `--cold-seed`: none, the seed is
 * chunked on the device every run). OS image: 256 MiB (64 MiB quick), 1% of its 4 KiB blocks
 * changed in 10 places.
 * @module
 */
import { spawnSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { targetUrl } from "../../core/trust/mod.ts";
import type { DeltaLink } from "../../core/delta/mod.ts";
import { dropSeedIndex } from "../../device/delta/seed_index.ts";
import { keepSeed, seedsOf } from "../../device/delta/seeds.ts";
import { type DeltaSource, downloadDelta } from "../../device/delta/delta_download.ts";
import { installRelease } from "../../device/app/install_release.ts";
import { openDeferredDelta } from "../../device/delta/deferred_delta.ts";
import { downloadVerified } from "../../device/net/fetch.ts";
import { Download } from "../../device/net/download.ts";

const sh = (cmd: string) => {
  const r = spawnSync("bash", ["-c", cmd], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`Cannot run ${cmd}: ${r.stderr}`);
  return r.stdout;
};
const has = (tool: string) => spawnSync("bash", ["-c", `command -v ${tool}`]).status === 0;
const repoCli = (args: string) => JSON.parse(sh(`${Deno.execPath()} run -A scripts/repo.ts ${args} --json`));
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Timed installs of each case (the median is reported). */
const RUNS = Number(Deno.env.get("DELTA_RUNS") ?? 5);
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(2)}%`;

/** A loopback server of `root` with single byte ranges. */
function serve(root: string) {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const file = await Deno.open(join(root, decodeURIComponent(new URL(req.url).pathname)));
    const size = (await file.stat()).size;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.get("range") ?? "");
    if (!m) return new Response(file.readable, { headers: { "content-length": String(size) } });
    const start = Number(m[1]), end = m[2] ? Number(m[2]) : size - 1;
    await file.seek(start, Deno.SeekMode.Start);
    // exactly the range: the file is not read on to its end
    let left = end - start + 1;
    const body = file.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(c, ctl) {
          const n = Math.min(c.length, left);
          left -= n;
          if (n > 0) ctl.enqueue(c.subarray(0, n));
          if (left === 0) ctl.terminate();
        },
      }),
    );
    return new Response(body, {
      status: 206,
      headers: {
        "content-range": `bytes ${start}-${end}/${size}`,
        "content-length": String(end - start + 1),
      },
    });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/`, close: () => server.shutdown() };
}

function appTree(dir: string, changed: Set<number>) {
  sh(`mkdir -p "${dir}"`);
  for (let i = 0; i < 200; i++) {
    const bytes = new Uint8Array(48 * 1024);
    if (i % 2) randomFillSync(bytes);
    else {bytes.set(
        new TextEncoder().encode(`line ${i} of a text file, version ${changed.has(i) ? 2 : 1}\n`.repeat(900))
          .subarray(0, bytes.length),
      );}
    if (i % 2 && !changed.has(i)) {
      for (let j = 0; j < bytes.length; j++) {
        bytes[j] = (Math.imul(i + 1, j + 7) >>> 3) & 0xff ^ (j * 31 % 251);
      }
    }
    Deno.writeFileSync(join(dir, `f${i}`), bytes);
  }
}

/** The chunked form a published release links (`repo add-app` or `add-image --json`'s document). */
function deltaOf(doc: { target: { custom: { delta: DeltaLink } } }, base: string): DeltaSource {
  const link = doc.target.custom.delta;
  return {
    link,
    index: new URL(targetUrl(link.index, link.indexSha256), base),
    pack: new URL(targetUrl(link.pack, link.packSha256), base),
  };
}

const tarOf = (src: string, out: string) =>
  sh(`tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "${out}" -C "${src}" .`);

/** Runs the delta bench; returns a markdown table. */
export async function benchDelta(options: { quick: boolean }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "drover-bench-delta-"));
  const rows: string[] = [
    "| case | full | fetched by delta | share | zstd --patch-from | rsync | index overhead |",
    "|---|---|---|---|---|---|---|",
  ];
  const server = serve(join(dir, "repo"));
  try {
    const repo = join(dir, "repo"), keys = join(dir, "keys");
    repoCli(`init --repo ${repo} --keys ${keys}`);
    appTree(join(dir, "t1"), new Set());
    tarOf(join(dir, "t1"), join(dir, "r1.tar"));
    sh(`gzip -6 -n -k "${dir}/r1.tar"`);
    const doc1 = repoCli(
      `add-app --repo ${repo} --keys ${keys} --name acme/radio --ref main --commit aaaaaaa1 --file ${dir}/r1.tar.gz`,
    );
    const cases: [string, Set<number>][] = [["app, 1 of 200 files changed", new Set([101])], [
      "app, 10% of files changed",
      new Set(Array.from({ length: 20 }, (_, i) => i * 10 + 3)),
    ]];
    // the seed as a device keeps it after installing release 1, and release 1's chunked form
    await copyFile(`${dir}/r1.tar.gz`, `${dir}/r1.blob`);
    const sha1 = doc1.target.hashes.sha256 as string;
    await keepSeed(join(dir, "ws"), "acme/radio", { files: [`${dir}/r1.blob`], sha256: sha1 });
    const [seed] = await seedsOf(join(dir, "ws"), "acme/radio");
    if (!seed) throw new Error("Cannot bench delta: no seed kept");
    const cold = Deno.args.includes("--cold-seed");
    const seedFile = cold ? { path: seed.path } : { path: seed.path, release: deltaOf(doc1, server.url) };
    let n = 1;
    for (const [label, changed] of cases) {
      const t = join(dir, `t${++n}`);
      await rm(t, { recursive: true, force: true });
      appTree(t, changed);
      tarOf(t, join(dir, `r${n}.tar`));
      sh(`gzip -6 -n -k "${dir}/r${n}.tar"`);
      const full = (await stat(`${dir}/r${n}.tar.gz`)).size;
      const doc = repoCli(
        `add-app --repo ${repo} --keys ${keys} --name acme/radio --ref main --commit bbbbbb${n}0 --file ${dir}/r${n}.tar.gz`,
      );
      const delta = deltaOf(doc, server.url);
      const link = delta.link;
      const deploy = { name: "acme/radio", ref: "main", commit: `bbbbbb${n}0` };
      const runs = {
        full: [] as number[],
        fullUpdate: [] as number[],
        update: [] as number[],
        check: [] as number[],
      };
      let r: Awaited<ReturnType<typeof downloadDelta>>;
      for (let run = 0; run < RUNS; run++) {
        const dl = (path: string) => mkdir(join(dir, path), { recursive: true }).then(() => join(dir, path));
        const delta1 = {
          key: doc.target.hashes.sha256,
          delta,
          seeds: [seedFile],
          fullLength: full,
          policy: {},
        };
        const expected = { sha256: doc.target.hashes.sha256, length: full };
        const timed = async (into: number[], step: () => Promise<unknown>) => {
          await dropSeedIndex(seed.path); // as a full install of release 1 leaves it
          const start = performance.now();
          await step();
          into.push(performance.now() - start);
        };
        // `update`: the delta planned, then reassembled into the extractor while its ranges are fetched
        const byUpdate = () =>
          timed(runs.update, async () => {
            const downloads = await dl(`dl-u${n}-${run}`);
            r = await downloadDelta(downloads, { ...delta1, maxShare: 1, defer: true });
            const open = r &&
              await openDeferredDelta(downloads, { key: delta1.key, seeds: [seed.path], policy: {} });
            if (!r || !open) throw new Error("Cannot bench delta: no delta");
            await installRelease(join(dir, `app-u${n}-${run}`), open, {
              deploy,
              expected: { sha256: r.sha256, length: r.length },
            });
          });
        // `check`, then `install`: the tar reassembled (verified, written), then extracted
        const byCheck = () =>
          timed(runs.check, async () => {
            r = await downloadDelta(await dl(`dl-c${n}-${run}`), { ...delta1, maxShare: 1 });
            if (!r) throw new Error("Cannot bench delta: no delta");
            await installRelease(join(dir, `app-c${n}-${run}`), r.tar, {
              deploy,
              expected: { sha256: r.sha256, length: r.length },
            });
          });
        // `update` in full: the download streamed into the extractor (as `install` does when deferred)
        const inFullUpdate = () =>
          timed(runs.fullUpdate, async () => {
            const downloads = await dl(`dl-fu${n}-${run}`);
            const download = new Download(new URL(doc.target.url, server.url), {
              part: join(downloads, `${delta1.key}.part`),
              length: full,
            });
            await download.run((open) =>
              installRelease(join(dir, `app-fu${n}-${run}`), open, {
                deploy,
                expected,
                maxExtractedSize: 2 ** 30,
              })
            );
          });
        const inFull = () =>
          timed(runs.full, async () => {
            const blob = await downloadVerified(new URL(doc.target.url, server.url), {
              downloads: await dl(`dl-f${n}-${run}`),
              key: doc.target.hashes.sha256,
              expected,
            });
            await installRelease(join(dir, `app-f${n}-${run}`), blob, { deploy, expected });
          });
        const steps = [inFull, inFullUpdate, byUpdate, byCheck];
        for (let i = 0; i < steps.length; i++) await steps[(i + run) % steps.length]!(); // each goes first in turn
      }
      const [fullMs, fullUpdateMs] = [median(runs.full), median(runs.fullUpdate)];
      const [updateMs, checkMs] = [median(runs.update), median(runs.check)];
      const zstd = has("zstd")
        ? (sh(
          `zstd -q -19 --long=27 --patch-from="${dir}/r1.tar" "${dir}/r${n}.tar" -o "${dir}/p${n}.zst" -f && stat -c %s "${dir}/p${n}.zst"`,
        ).trim())
        : "n/a";
      const rsync = has("rsync")
        ? sh(
          `cp "${dir}/r1.tar" "${dir}/rs${n}.tar" && rsync --no-whole-file --stats "${dir}/r${n}.tar" "${dir}/rs${n}.tar" | grep 'Literal data' | tr -dc 0-9`,
        )
        : "not installed";
      rows.push(
        `| ${label} | ${full} | ${r!.fetched} | ${pct(r!.fetched, full)} | ${zstd} | ${rsync} | ${
          pct(link.indexLength, full)
        } |`,
      );
      const times = (what: string, ms: number, fullOf: number) =>
        `| ↳ install time by ${what} (loopback, median of ${RUNS}) | ${fullOf.toFixed(0)} ms full | ${
          ms.toFixed(0)
        } ms delta | ${(ms / fullOf).toFixed(2)}x | | | |`;
      rows.push(
        times("`update` (streamed into the extractor)", updateMs, fullUpdateMs),
        times("`check` + `install` (written, then extracted)", checkMs, fullMs),
      );
    }
    // OS image: 1% of 4 KiB blocks changed in 10 places
    const mib = options.quick ? 64 : 256;
    // published as OS images of a bench device type (an app must be a tar that devices can read)
    const img1 = join(dir, "os1.img"), img2 = join(dir, "os2.img");
    const bytes = new Uint8Array(mib * 2 ** 20);
    for (let i = 0; i < bytes.length; i += 2 ** 20) {
      if ((i >> 20) % 2) randomFillSync(bytes, i, 2 ** 20); // half random, half text-like
      else bytes.set(new TextEncoder().encode(`config block ${i}\n`.repeat(65536)).subarray(0, 2 ** 20), i);
    }
    await writeFile(img1, bytes);
    const blocks = bytes.length / 4096, per = Math.ceil(blocks / 100 / 10);
    for (let p = 0; p < 10; p++) {
      randomFillSync(bytes, Math.floor(((p + 0.5) * blocks) / 10) * 4096, per * 4096);
    }
    await writeFile(img2, bytes);
    const image = `add-image --repo ${repo} --keys ${keys} --device-type bench-os`;
    repoCli(`add-device-type --repo ${repo} --keys ${keys} --slug bench-os`);
    repoCli(`${image} --version 1.0.0 --file ${img1}`);
    const doc = repoCli(`${image} --version 2.0.0 --file ${img2}`);
    const delta = deltaOf(doc, server.url);
    const link = delta.link;
    const downloads = join(dir, "dl-img");
    await mkdir(downloads);
    const r = await downloadDelta(downloads, {
      key: doc.target.hashes.sha256,
      delta,
      seeds: [img1],
      fullLength: bytes.length,
      policy: {},
      maxShare: 1,
    });
    if (!r) throw new Error("Cannot bench delta: no image delta");
    rows.push(
      `| OS image ${mib} MiB, 1% of 4 KiB blocks in 10 places | ${bytes.length} | ${r.fetched} | ${
        pct(r.fetched, bytes.length)
      } | | | ${pct(link.indexLength, bytes.length)} |`,
    );
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
  return rows.join("\n");
}

if (import.meta.main) console.log(await benchDelta({ quick: Deno.args.includes("--quick") }));
