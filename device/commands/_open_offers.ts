/**
 * Private to device/commands: the repository `check` asks what is on offer, as its flags say:
 * TUF-verified (metadata refreshed into the workspace), or with `--insecure-legacy` the unsigned
 * releases document, after a loud warning on stderr.
 * @module
 */
import type { CommandIO } from "../cli/command.ts";
import { LEGACY_WARNING, openLegacyOffers } from "../app/legacy_offers.ts";
import { type Offers, openTufOffers } from "../app/offers.ts";
import type { Workspace } from "../fs/workspace.ts";
import { fromRepository } from "../net/from_repository.ts";
import type { CheckFlags } from "./_shared.ts";

/** Opens the offers of `flags.api` (see the module doc); `now` is the clock of the TUF expiry checks. */
export async function openOffers(
  ws: Workspace,
  o: { flags: CheckFlags; io: CommandIO; now: Date },
): Promise<Offers> {
  const { flags } = o;
  if (flags.legacy) {
    o.io.stderr(LEGACY_WARNING);
    return await openLegacyOffers(flags.api, flags.policy);
  }
  try {
    return await openTufOffers(flags.api, ws.tuf, {
      ...flags.policy,
      trustedRoot: flags.trustedRoot,
      now: o.now,
    });
  } catch (error) {
    throw fromRepository(error, flags.api); // a mistyped --api: name what was tried
  }
}
