/**
 * `repo push`: publish a repository directory to a remote edge (Deno or Workers) through its publish
 * API, uploading only the targets and metadata (root versions, targets, delegated roles) the edge
 * lacks, then verifying the edge as a device would (`_push.ts`). The token comes from `--token-file` or env `DROVER_TOKEN`; `--keys` is not used
 * (the edge signs snapshot and timestamp with the keys the root names).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./push.ts";
 * const out: string[] = [];
 * const io = { stdout: (t: string) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false };
 * assert.equal(await command.run(["--help"], io), 0);
 * assert.match(out.join(""), /^Usage: drover-repo push --repo DIR --edge URL/);
 * ```
 * @module
 */
import { defineCommand, optional, required } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { readFlagFile } from "../cli/flag_file.ts";
import { schemeHint } from "../../device/cli/scheme_hint.ts";
import { EdgeClient } from "./_edge_client.ts";
import { pushRepo } from "./_push.ts";
import { REPO_CLI } from "./_cli.ts";
import { FsRepoStore } from "./fs_repo_store.ts";

const help = `Usage: drover-repo push --repo DIR --edge URL [--token-file FILE] [--allow-removal] [--json]

Publish the repository in --repo to the edge at --edge (Deno or Cloudflare Workers) through its
publish API, sending only what the edge lacks: each target it does not serve yet (of the targets
metadata and of every delegated role) is streamed with PUT /v1/targets/<sha256>, then the metadata
with POST /v1/metadata: the root versions after the edge's (repo rotate-key), the targets metadata
and each delegated role's (repo delegate, add-app --role) whose version the edge lacks; one document
in its own form, more as one metadata set the edge accepts or refuses whole. The edge checks them
and signs snapshot and timestamp with its online keys, which must be the ones the root names (a
root naming other snapshot or timestamp keys is refused: the edge could not sign for it). The
chunked forms of releases and images (.cidx index and .cpack pack, for deltas) are targets and go
with them. Run it again after an interruption: what is on the edge already is skipped. Then
refreshes from the edge as a device would, from the repository's tuf/1.root.json along the root
chain, and checks the root, targets and role versions and every target offered as pushed.

The edge must serve this repository (the same tuf/1.root.json) and must not be ahead of it: a
newer root, targets or role version there, or other content under the same version, is refused
(exit 1, E_STALE). A push whose metadata would stop the edge serving releases this repository never
had (another pipeline published them there) is refused too (exit 1, E_WOULD_REMOVE, naming them):
add them here, or pass --allow-removal.

  --edge URL          the edge's base URL (http or https)
  --token-file FILE   the publish token (DROVER_TOKEN of the edge); default env DROVER_TOKEN
  --allow-removal     push even when the edge would stop serving releases it has from elsewhere
                      (listed in "removed" of --json, and on stderr)
  --json              print one JSON document: { edge, removed, uploaded, skipped, bytes, metadata,
                      verified };
                      bytes: { uploaded, skipped, chunkedForm } (chunkedForm: how many of the
                      uploaded bytes were chunked forms); metadata: { root, roots (root versions
                      sent), targets, published (targets sent), roles: [{ name, version, published }],
                      versions, warnings }; verified: { targets, offered, root, roles }

Progress goes to stderr (a bar per upload on a terminal). Exit codes: 0 pushed and verified, 1
failure (the edge refused: E_FORBIDDEN, E_STALE, E_CONFLICT, E_TRUST, …), 2 usage, 3 the edge does
not verify or refused a digest, 75 the edge cannot be reached or asks to try later.
`;

const fmt = (
  n: number,
) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** The `push` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "push",
  summary: "publish the repository to a remote edge (only what it lacks), then verify it",
  help,
  options: {
    edge: { type: "string" },
    "token-file": { type: "string" },
    "allow-removal": { type: "boolean" },
  },
  async run(parsed, io) {
    const store = new FsRepoStore(required(parsed, "repo"));
    const edgeArg = required(parsed, "edge");
    let edge: URL;
    try {
      edge = new URL(edgeArg);
    } catch {
      throw new UsageError(`Cannot push: --edge '${edgeArg}' is not a URL${schemeHint(edgeArg)}`);
    }
    if (edge.protocol !== "http:" && edge.protocol !== "https:") {
      throw new UsageError(
        `Cannot push: --edge must be an http or https URL, not ${edge.protocol}${schemeHint(edgeArg)}`,
      );
    }
    const file = optional(parsed, "token-file");
    const token = file
      ? (await readFlagFile("token-file", file, { action: "push" })).trim()
      : optional(parsed, "token", { io, envName: "DROVER_TOKEN" });
    if (!token || /\s/.test(token)) {
      throw new UsageError("Cannot push: no publish token (--token-file FILE or env DROVER_TOKEN)");
    }
    const report = await pushRepo(store, new EdgeClient(edge, token), {
      io,
      json: parsed.json,
      allowRemoval: parsed.values["allow-removal"] === true,
    });
    if (report.removed.length > 0) {
      io.stderr(
        `removed from the edge (--allow-removal): ${report.removed.length} releases published from ` +
          `elsewhere: ${report.removed.join(", ")}\n`,
      );
    }
    if (!parsed.json) { for (const warning of report.metadata.warnings) io.stderr(`warning: ${warning}\n`); }
    const { uploaded, skipped, bytes, metadata, verified } = report;
    const v = metadata.versions;
    const roles = metadata.roles;
    const sentRoles = roles.filter((r) => r.published).map((r) => `${r.name} v${r.version}`);
    printResult(io, parsed, {
      doc: { ...report },
      text: [
        `uploaded ${uploaded.length} targets (${fmt(bytes.uploaded)}` +
        `${bytes.chunkedForm > 0 ? `, ${fmt(bytes.chunkedForm)} of it chunked forms for deltas` : ""}), ` +
        `${skipped.length} on the edge already (${fmt(bytes.skipped)})`,
        metadata.roots.length > 0
          ? `published root ${metadata.roots.map((n) => `v${n}`).join(", ")}`
          : `root v${metadata.root} on the edge already`,
        metadata.published
          ? `published targets v${metadata.targets} (edge: snapshot v${v.snapshot}, timestamp v${v.timestamp})`
          : `targets v${metadata.targets} on the edge already`,
        ...(roles.length === 0 ? [] : [
          `${sentRoles.length > 0 ? `published roles ${sentRoles.join(", ")}` : "published no roles"}, ` +
          `${roles.length - sentRoles.length} on the edge already`,
        ]),
        `verified: ${report.edge} offers all ${verified.offered} targets of targets v${v.targets} (root v${v.root}` +
        `${roles.length > 0 ? `, ${Object.keys(verified.roles).length} delegated roles` : ""})`,
      ].join("\n"),
    });
    return 0;
  },
});
