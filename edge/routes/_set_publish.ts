/**
 * Private: `POST /v1/metadata?role=root` (one root) and `POST /v1/metadata` of a metadata set
 * (`_metadata_body.ts`): root versions, top-level targets and delegated roles accepted at once, as the
 * repository they make together (core's `RepositoryWriter.acceptMetadata`). That is how a publish
 * the single forms cannot make one step at a time reaches the edge: a new delegation (targets naming
 * the role and the role's first version), a role's keys replaced, or a rotated targets key (root and
 * the targets its new key signs).
 *
 * Refused, under the storage's lock and before anything is written: a version not newer than the
 * edge's (409 `E_STALE`); a root that is not the next one (409 `E_CONFLICT`: send the ones between
 * first); a root missing the root threshold of its predecessor or of itself, or expired, and anything
 * that does not verify in the resulting repository (403 `E_TRUST`); a root whose snapshot or timestamp
 * role names keys this edge does not hold (409 `E_CONFLICT`: the edge could not sign for it, and
 * devices would refuse what it serves); targets not uploaded (409 `E_CONFLICT`/`E_DELTA_LINK`).
 * Then snapshot and timestamp are re-signed with the edge's online keys.
 */
import { RepositoryWriter, type RootKeys, verifyEnvelope } from "../../core/trust/mod.ts";
import type { RepoState } from "../repo_state.ts";
import { HttpError } from "../http_error.ts";
import { loadView } from "../repo_view.ts";
import type { ParsedSet, RootEnvelope } from "./_metadata_body.ts";
import { legacyWarnings, linkTargets, requireUploaded, targetInfos } from "./_published_targets.ts";

/** What a set's publish answers. */
export interface SetPublished {
  versions: Record<string, number>;
  delegatedVersions: Record<string, number>;
  warnings: string[];
}

/** Accepts `set` (parsed, shapes checked) at once; see the module. */
export async function publishSet(state: RepoState, set: ParsedSet): Promise<SetPublished> {
  return await state.exclusive(async () => {
    const view = await loadView(state.storage);
    if (!view.root) throw new HttpError(409, "Cannot publish: the repository has no root yet");
    const now = new Date(state.config.clock());
    const writer = await RepositoryWriter.open(state.storage, state.keys, { now });
    await checkRoots(writer, set.roots);
    const current = writer.versions.targets;
    if (set.targets && set.targets.signed.version <= current) {
      throw stale(`targets v${set.targets.signed.version}: not newer than v${current}`);
    }
    for (const [name, env] of Object.entries(set.roles)) {
      const role = writer.delegatedVersions[name] ?? 0;
      if (env.signed.version <= role) {
        throw stale(`role '${name}' v${env.signed.version}: not newer than v${role}`);
      }
    }
    const documents = [set.targets, ...Object.values(set.roles)].filter((d) => d !== undefined);
    const targets = documents.map((d) => targetInfos(d.signed.targets));
    for (const list of targets) await requireUploaded(state, list);
    const { versions } = await writer.acceptMetadata({
      roots: set.roots,
      targets: set.targets,
      roles: set.roles,
    });
    await linkTargets(state, targets.flat());
    const warnings = legacyWarnings(targets.flat(), view.targets);
    return { versions, delegatedVersions: writer.delegatedVersions, warnings };
  }).finally(() => state.invalidate());
}

function stale(detail: string): HttpError {
  return new HttpError(409, `Cannot publish ${detail}`, { code: "E_STALE" });
}

/**
 * The roots are the next versions in order (409), each meets the root threshold of its predecessor and
 * of itself (403), and this edge's online keys can sign for the last (409).
 */
async function checkRoots(writer: RepositoryWriter, roots: RootEnvelope[]): Promise<void> {
  let previous = writer.root as unknown as RootKeys & { version: number };
  for (const env of roots) {
    const version = env.signed.version;
    if (version <= previous.version) {
      throw stale(`root v${version}: not newer than v${previous.version}`);
    }
    if (version !== previous.version + 1) {
      throw new HttpError(
        409,
        `Cannot publish root v${version}: the edge has root v${previous.version}; publish v${
          previous.version + 1
        } first`,
      );
    }
    const signed = env.signed as unknown as RootKeys & { version: number };
    await verifyEnvelope(env, previous, "root", { label: `root v${version} (by root v${previous.version})` });
    await verifyEnvelope(env, signed, "root", { label: `root v${version} (by itself)` });
    previous = signed;
  }
  const last = roots.at(-1);
  const missing = last && writer.missingOnlineKeys(last.signed as never);
  if (missing) {
    throw new HttpError(
      409,
      `Cannot publish root v${last.signed.version}: this edge could not sign for it: ${missing}`,
    );
  }
}
