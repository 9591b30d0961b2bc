import assert from "node:assert/strict";
import { TrustError } from "../../core/errors.ts";
import type { PendingManifest, Status } from "../fs/workspace.ts";
import type { Offer, Offers } from "./offers.ts";
import { type PlanInputs, planUpdate, recordFor } from "./plan.ts";
import type { App } from "./scan_apps.ts";

const C = { old: "0000000", a: "aaaaaaa1", b: "bbbbbbb2" };
const sha = (c: string) => c[0]!.repeat(64);

function installed(commit: string | null, extra: { serial?: number; ref?: string } = {}): App {
  const base = { dir: "/t/radio", dirName: "radio", name: "acme/radio", ref: "main" };
  if (commit === null) return { ...base, commit: null };
  const deploy = { name: base.name, ref: extra.ref ?? "main", commit, serial: extra.serial ?? 1 };
  const current = {
    id: `${deploy.serial}-${commit}`,
    path: "/t/radio/releases/x",
    link: "releases/x",
    deploy,
  };
  return { ...base, commit, deploy, current };
}

function offer(commit: string, extra: Partial<Offer> = {}): Offer {
  return {
    name: "acme/radio",
    ref: "main",
    commit,
    serial: 2,
    url: new URL(`http://127.0.0.1/targets/${commit}.tar.gz`),
    expected: { length: 10, sha256: sha(commit) },
    key: sha(commit),
    origin: `apps/acme/radio/main/${commit}.tar.gz`,
    ...extra,
  };
}

const offering = (...list: Offer[]): Offers => ({
  mode: "tuf",
  find: (name, ref) => list.find((o) => o.name === name && o.ref === ref),
});

function inputs(
  o: { offers?: Offers; records?: PendingManifest[]; bad?: string[] } = {},
): PlanInputs {
  const status: Status = { version: 1, apps: {} };
  if (o.bad) status.apps["acme/radio"] = { ref: "main", current: null, previous: null, bad: o.bad };
  return { offers: o.offers, pending: { manifests: o.records ?? [], problems: [] }, status };
}

const scanOf = (...apps: App[]) => ({ apps, problems: [] });

Deno.test("planUpdate() installs a newer offer, as a pending record built from it", () => {
  const app = installed(C.old);
  const plan = planUpdate(scanOf(app), inputs({ offers: offering(offer(C.b)) }));
  assert.equal(plan.mode, "tuf");
  assert.equal(plan.apps.length, 1);
  const [entry] = plan.apps;
  assert.equal(entry?.action, "install");
  assert.equal(entry?.resume, false);
  assert.equal(entry?.dropRecord, false);
  assert.deepEqual({ ...entry?.release, downloadedAt: "" }, {
    ...recordFor(app, offer(C.b), "tuf"),
    downloadedAt: "",
  });
});

Deno.test("planUpdate() resumes the pending record of the same release and drops a superseded one", () => {
  const app = installed(C.old);
  const recordB = { ...recordFor(app, offer(C.b), "tuf"), downloadedAt: "2026-01-01T00:00:00.000Z" };
  const same = planUpdate(scanOf(app), inputs({ offers: offering(offer(C.b)), records: [recordB] })).apps[0];
  assert.deepEqual([same?.action, same?.resume, same?.dropRecord], ["install", true, false]);
  assert.equal(same?.release, recordB, "the record on disk is the release: its download may be there");

  const recordA = recordFor(app, offer(C.a, { serial: 1 }), "tuf");
  const newer = planUpdate(scanOf(app), inputs({ offers: offering(offer(C.b)), records: [recordA] })).apps[0];
  assert.deepEqual([newer?.action, newer?.resume, newer?.dropRecord], ["install", false, true]);
  assert.equal(newer?.release?.commit, C.b);
});

Deno.test("planUpdate() holds a known-bad commit once, with its reason, and drops its record", () => {
  const app = installed(C.old);
  const record = recordFor(app, offer(C.b), "tuf");
  const plan = planUpdate(
    scanOf(app),
    inputs({ offers: offering(offer(C.b)), records: [record], bad: [C.b] }),
  );
  assert.equal(plan.apps.length, 1, "one decision for the app, not one per source");
  assert.deepEqual([plan.apps[0]?.action, plan.apps[0]?.held, plan.apps[0]?.dropRecord], [
    "held",
    { reason: "bad" },
    true,
  ]);
});

Deno.test("planUpdate() holds a downgrade with a TrustError unless signed metadata allows it", () => {
  const app = installed(C.old, { serial: 5 });
  const held = planUpdate(scanOf(app), inputs({ offers: offering(offer(C.b)) })).apps[0];
  assert.equal(held?.action, "held");
  assert.equal(held?.held?.reason, "downgrade");
  assert.ok(held?.held?.reason === "downgrade" && held.held.error instanceof TrustError);
  assert.match(String(held?.held?.reason === "downgrade" && held.held.error.message), /serial 2 is older/);

  const allowed = planUpdate(scanOf(app), inputs({ offers: offering(offer(C.b, { allowDowngrade: true })) }));
  assert.equal(allowed.apps[0]?.action, "install");
  const legacy: Offers = { ...offering(offer(C.b, { allowDowngrade: true })), mode: "insecure-legacy" };
  assert.equal(planUpdate(scanOf(app), inputs({ offers: legacy })).apps[0]?.action, "held");
  // a first install has nothing to compare with; a ref switched by the operator neither
  assert.equal(
    planUpdate(scanOf(installed(null)), inputs({ offers: offering(offer(C.b)) })).apps[0]?.action,
    "install",
  );
  const switched = { ...installed(C.old, { serial: 5, ref: "beta" }) };
  assert.equal(
    planUpdate(scanOf(switched), inputs({ offers: offering(offer(C.b)) })).apps[0]?.action,
    "install",
  );
});

Deno.test("planUpdate() finishes an install that switched but left its record; up to date otherwise", () => {
  const app = installed(C.b);
  const record = recordFor(app, offer(C.b), "tuf");
  const finish = planUpdate(scanOf(app), inputs({ offers: offering(offer(C.b)), records: [record] })).apps[0];
  assert.deepEqual([finish?.action, finish?.release, finish?.dropRecord], ["finish", record, false]);
  // even when the repository marked nothing: the same decision without offers (drover install)
  assert.equal(planUpdate(scanOf(app), inputs({ records: [record] })).apps[0]?.action, "finish");

  const stale = recordFor(installed(C.old), offer(C.a, { serial: 1 }), "tuf");
  const upToDate =
    planUpdate(scanOf(app), inputs({ offers: offering(offer(C.b)), records: [stale] })).apps[0];
  assert.deepEqual([upToDate?.action, upToDate?.dropRecord], ["up-to-date", true]);
  const withdrawn = planUpdate(scanOf(app), inputs({ offers: offering(), records: [stale] })).apps[0];
  assert.deepEqual([withdrawn?.action, withdrawn?.dropRecord], ["not-offered", true]);
});

Deno.test("planUpdate() without offers plans from the pending records with the same rules", () => {
  const app = installed(C.old);
  const record = recordFor(app, offer(C.b), "tuf");
  const plan = planUpdate(scanOf(app), inputs({ records: [record] }));
  assert.equal(plan.mode, undefined);
  assert.deepEqual([plan.apps[0]?.action, plan.apps[0]?.resume], ["install", true]);
  assert.equal(planUpdate(scanOf(app), inputs({ records: [record], bad: [C.b] })).apps[0]?.action, "held");
  const newer = installed(C.old, { serial: 9 });
  assert.equal(planUpdate(scanOf(newer), inputs({ records: [record] })).apps[0]?.held?.reason, "downgrade");
});

Deno.test("planUpdate() reports records whose app is gone (dropped) or broken (kept)", () => {
  const record = recordFor(installed(C.old), offer(C.b), "tuf");
  for (const offers of [undefined, offering(offer(C.b))]) {
    const gone = planUpdate(scanOf(), inputs({ offers, records: [record] })).apps[0];
    assert.deepEqual([gone?.action, gone?.dropRecord, gone?.error?.name], [
      "unavailable",
      true,
      "NotFoundError",
    ]);
    const broken = planUpdate(
      { apps: [], problems: [{ dir: "/t/radio", dirName: "radio", message: "no readable .deploy" }] },
      inputs({ offers, records: [record] }),
    ).apps[0];
    assert.deepEqual([broken?.action, broken?.dropRecord], ["unavailable", false]);
    assert.match(String(broken?.error?.message), /^Cannot install acme\/radio: no readable \.deploy/);
  }
  // moved to another directory: the record is not this app's any more
  const moved = { ...installed(C.old), dir: "/t/radio2", dirName: "radio2" };
  assert.equal(planUpdate(scanOf(moved), inputs({ records: [record] })).apps[0]?.action, "unavailable");
  const replanned = planUpdate(scanOf(moved), inputs({ offers: offering(offer(C.b)), records: [record] }));
  assert.deepEqual([replanned.apps[0]?.resume, replanned.apps[0]?.dropRecord], [false, true]);
  assert.equal(replanned.apps[0]?.release?.dirName, "radio2");
});
