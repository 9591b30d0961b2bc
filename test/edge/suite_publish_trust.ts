/**
 * Publishing cases of the edge suite that change trust (run after `suite_publish.ts`): the next root
 * version (`POST /v1/metadata?role=root`), which a device that trusted the previous root walks to,
 * and a metadata set (a new delegation: top-level targets naming a role and the role's first version
 * at once).
 * @module
 */
import assert from "node:assert/strict";
import {
  generateKeyPair,
  type KeyPair,
  keyToTuf,
  MemoryStore,
  refreshTrust,
  signEnvelope,
} from "../../core/trust/mod.ts";
import { sha256Hex, TOKEN } from "./fixture.ts";
import { expectError, type SuiteCase, type SuiteTarget } from "./suite_case.ts";

const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
// deno-lint-ignore no-explicit-any
type Signed = any;

async function signedOf(t: SuiteTarget, path: string): Promise<Signed> {
  const res = await t.fetch(path);
  assert.equal(res.status, 200, path);
  return (await res.json()).signed;
}

function post(t: SuiteTarget, body: unknown, options: { role?: string } = {}): Promise<Response> {
  const query = options.role === undefined ? "" : `?role=${options.role}`;
  return t.fetch(`/v1/metadata${query}`, { method: "POST", body: JSON.stringify(body), headers: auth });
}

/** Refreshes as a device that was given tuf/1.root.json, keeping what it trusts in `device`. */
async function refresh(t: SuiteTarget, device: MemoryStore) {
  const get = async (path: string) => {
    const res = await t.fetch(`/${path}`);
    return res.ok ? new Uint8Array(await res.arrayBuffer()) : (await res.body?.cancel(), undefined);
  };
  return await refreshTrust({ fetch: get, store: device, trustedRoot: await get("tuf/1.root.json") });
}

/** The signed part of root `root` v+1 with `role`'s key `from` replaced by `to` (or `version` given). */
function nextRoot(root: Signed, change: { role: string; from: KeyPair; to: KeyPair; version?: number }) {
  const { role, from, to, version = root.version + 1 } = change;
  const keys = { ...root.keys, [to.keyid]: keyToTuf(to) };
  delete keys[from.keyid];
  const roles = { ...root.roles, [role]: { ...root.roles[role], keyids: [to.keyid] } };
  return { ...root, version, keys, roles };
}

/** Cases that publish root metadata or a metadata set. */
export const TRUST_CASES: SuiteCase[] = [{
  name:
    "POST /v1/metadata?role=root takes the next root signed by the old and new root keys; a device walks the chain",
  async run(t) {
    const device = new MemoryStore();
    assert.equal((await refresh(t, device)).versions.root, 1);
    const root = await signedOf(t, "/tuf/root.json");
    const fresh = await generateKeyPair();
    const v2 = nextRoot(root, { role: "root", from: t.keys.root, to: fresh });
    const both = [t.keys.root, fresh];

    await expectError(await post(t, await signEnvelope(root, [t.keys.root]), { role: "root" }), 409, {
      code: "E_STALE",
    });
    const skipped = nextRoot(root, { role: "root", from: t.keys.root, to: fresh, version: 3 });
    await expectError(await post(t, await signEnvelope(skipped, both), { role: "root" }), 409, {
      code: "E_CONFLICT",
    });
    for (const signers of [[fresh], [t.keys.root], [t.keys.stranger]]) {
      await expectError(await post(t, await signEnvelope(v2, signers), { role: "root" }), 403, {
        code: "E_TRUST",
      });
    }
    const float = { signed: { ...v2, x: 1.5 }, signatures: [] };
    await expectError(await post(t, float, { role: "root" }), 403, { code: "E_TRUST" });
    const expired = { ...v2, expires: "2020-01-01T00:00:00Z" };
    await expectError(await post(t, await signEnvelope(expired, both), { role: "root" }), 403, {
      code: "E_TRUST",
    });
    const online = nextRoot(root, { role: "snapshot", from: t.keys.snapshot, to: await generateKeyPair() });
    const unsignable = await post(t, await signEnvelope(online, [t.keys.root]), { role: "root" });
    assert.match(
      await unsignable.clone().text(),
      /this edge could not sign for it: its snapshot role needs 1 of keys/,
    );
    await expectError(unsignable, 409, { code: "E_CONFLICT" });
    await expectError(await post(t, await signEnvelope(v2, both)), 400, { code: "E_BAD_REQUEST" });
    assert.equal((await signedOf(t, "/tuf/root.json")).version, 1, "nothing refused was kept");
    const before = (await signedOf(t, "/tuf/timestamp.json")).version;

    const res = await post(t, await signEnvelope(v2, both), { role: "root" });
    assert.equal(res.status, 200, await res.clone().text());
    const { versions } = await res.json();
    assert.equal(versions.root, 2);
    assert.ok(versions.timestamp > before, "snapshot and timestamp re-signed");
    assert.equal((await signedOf(t, "/tuf/2.root.json")).version, 2);
    assert.equal((await signedOf(t, "/tuf/root.json")).version, 2);
    const trusted = await refresh(t, device);
    assert.equal(trusted.versions.root, 2, "the device that trusted root v1 now trusts v2");
    assert.equal(trusted.versions.timestamp, versions.timestamp);
    assert.ok(trusted.findApp("radiodan/magic-button", "radiotag"), "and still resolves the targets");
  },
}, {
  name:
    "POST /v1/metadata takes a metadata set: top-level targets delegating to a new role with the role's first version, never one alone",
  async run(t) {
    const bytes = new TextEncoder().encode("a release of the suite team\n");
    const sha256 = await sha256Hex(bytes);
    const put = await t.fetch(`/v1/targets/${sha256}`, {
      method: "PUT",
      body: bytes,
      headers: { authorization: auth.authorization },
    });
    assert.ok(put.status === 201 || put.status === 200, await put.text());
    const team = await generateKeyPair();
    const path = "apps/suite/radio/main/abcdef1.tar.gz";
    const custom = {
      kind: "app",
      name: "suite/radio",
      ref: "main",
      commit: "abcdef1",
      serial: 1,
      updated: "2026-06-01T00:00:00Z",
    };
    const current = await signedOf(
      t,
      `/tuf/${(await snapshotOf(t)).meta["targets.json"].version}.targets.json`,
    );
    const targets = await signEnvelope({
      ...current,
      version: current.version + 1,
      delegations: {
        keys: { [team.keyid]: keyToTuf(team) },
        roles: [{
          name: "suite",
          keyids: [team.keyid],
          threshold: 1,
          terminating: false,
          paths: ["apps/suite/*/*/*"],
        }],
      },
    }, [t.keys.targets]);
    const role = await signEnvelope({
      _type: "targets",
      spec_version: "1.0.31",
      version: 1,
      expires: current.expires,
      targets: { [path]: { length: bytes.length, hashes: { sha256 }, custom } },
    }, [team]);

    await expectError(await post(t, targets), 403, { code: "E_TRUST" });
    await expectError(await post(t, role, { role: "suite" }), 404);
    await expectError(await post(t, { targets, roles: { suite: role } }, { role: "suite" }), 400);
    await expectError(await post(t, { targets, extra: 1 }), 400);
    await expectError(await post(t, { roles: { "../x": role } }), 400);
    const res = await post(t, { targets, roles: { suite: role } });
    assert.equal(res.status, 200, await res.clone().text());
    const answer = await res.json();
    assert.equal(answer.versions.targets, current.version + 1);
    assert.deepEqual(answer.delegatedVersions, { suite: 1 });
    await expectError(await post(t, { targets, roles: { suite: role } }), 409, { code: "E_STALE" });
    const trusted = await refresh(t, new MemoryStore());
    assert.equal(trusted.findApp("suite/radio", "main")?.path, path);
    assert.equal(trusted.signerOf(path), "suite");
  },
}];

async function snapshotOf(t: SuiteTarget): Promise<Signed> {
  const timestamp = await signedOf(t, "/tuf/timestamp.json");
  return await signedOf(t, `/tuf/${timestamp.meta["snapshot.json"].version}.snapshot.json`);
}
