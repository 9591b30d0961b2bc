/**
 * Private: `POST /v1/metadata?role=ROLE`, a new version of delegated targets role ROLE signed by the
 * team's key. Refused unless ROLE is a role name the repository has (404), the version is newer than
 * its current one (409 `E_STALE`), every target is uploaded and every `custom.delta` links an uploaded
 * index and pack of the same metadata (the caller's `requireUploaded`, 409 `E_CONFLICT`/`E_DELTA_LINK`), and
 * core's `RepositoryWriter.acceptDelegated` accepts it: the threshold of every role delegating to ROLE,
 * targets only within their paths and where their custom says (403 `E_TRUST`). Then snapshot and
 * timestamp are re-signed with the edge's online keys. Creating a delegation is `repo delegate` on the
 * repository directory (top-level targets and the role's first version).
 */
import { isDelegatedRoleName, RepositoryWriter, type TargetInfo } from "../../core/trust/mod.ts";
import type { Envelope } from "../../core/trust/mod.ts";
import type { RepoState } from "../repo_state.ts";
import { HttpError } from "../http_error.ts";
import { linkTargets } from "./_published_targets.ts";

/** Accept role `role`'s new metadata `envelope` whose targets are `targets` (checked, uploaded by `requireUploaded`). */
export async function publishDelegated(
  state: RepoState,
  role: string,
  options: {
    envelope: Envelope<{ version: number }>;
    targets: TargetInfo[];
    requireUploaded: () => Promise<void>;
  },
): Promise<{ versions: Record<string, number>; delegatedVersions: Record<string, number> }> {
  if (!isDelegatedRoleName(role)) {
    throw new HttpError(400, "Cannot publish: 'role' is not a delegated role name");
  }
  return await state.exclusive(async () => {
    const now = new Date(state.config.clock());
    const writer = await RepositoryWriter.open(state.storage, state.keys, { now });
    const current = writer.delegatedVersions[role];
    if (current === undefined) {
      throw new HttpError(
        404,
        `Cannot publish: the repository has no delegated role '${role}' (repo delegate)`,
      );
    }
    const version = options.envelope.signed.version;
    if (version <= current) {
      throw new HttpError(409, `Cannot publish role '${role}' v${version}: not newer than v${current}`, {
        code: "E_STALE",
      });
    }
    await options.requireUploaded();
    const { versions } = await writer.acceptDelegated(role, options.envelope);
    await linkTargets(state, options.targets);
    return { versions, delegatedVersions: writer.delegatedVersions };
  }).finally(() => state.invalidate());
}
