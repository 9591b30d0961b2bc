/**
 * The operator's side of the fleet scenarios: the operator API of an edge (bearer token) and the
 * operator CLI (`dist/drover-fleet.mjs`), and the Device documents they answer with.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runCommand, type RunResult } from "../harness.ts";
import { OPERATOR_TOKEN } from "./_fleet_constants.ts";

/** The operator API of `api` (GET, bearer token; fails the test unless 200). */
export function operatorApi(api: string) {
  return {
    async get(path: string) {
      const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
      const text = await res.text();
      assert.equal(res.status, 200, `GET ${path}: ${text}`);
      return JSON.parse(text);
    },
    async post(path: string, body?: unknown) {
      const res = await fetch(`${api}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      assert.ok(res.status === 200 || res.status === 201, `POST ${path}: ${res.status} ${text}`);
      return JSON.parse(text);
    },
    /** Every device of a list (following `next`), `query` added. */
    async list(query: Record<string, string> = {}) {
      const items: Device[] = [];
      let cursor: string | null = null;
      do {
        const params: URLSearchParams = new URLSearchParams({ ...query, limit: "20" });
        if (cursor) params.set("cursor", cursor);
        const page: { items: Device[]; next: string | null } = await this.get(`/v1/fleet/devices?${params}`);
        items.push(...page.items);
        cursor = page.next;
      } while (cursor);
      return items;
    },
  };
}

/** A Device of the fleet API (the fields the scenario checks). */
export interface Device {
  id: string;
  state: string;
  deviceType: string | null;
  labels: Record<string, string>;
  apps: { name: string; ref: string; commit: string }[];
  lastInstall:
    | { app: string; commit: string; result: string; stage: string; errorCode: string | null }
    | null;
}

const FLEET_MJS = join(ROOT, "dist/drover-fleet.mjs");

/** `node dist/drover-fleet.mjs args` against `api`; fails the test unless it exits 0. */
export async function fleetCli(api: string, args: string[]): Promise<RunResult> {
  const r = await runCommand("node", [FLEET_MJS, ...args], {
    env: { DROVER_EDGE: api, DROVER_OPERATOR_TOKEN: OPERATOR_TOKEN, DROVER_TOKEN: "" },
  });
  assert.equal(r.code, 0, `drover-fleet ${args.join(" ")}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}
