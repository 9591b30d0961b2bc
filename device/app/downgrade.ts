/**
 * Anti-rollback: a release older than the installed one is refused unless signed metadata allows
 * the downgrade. Serials are compared when both sides have one, else `updated` timestamps.
 * @module
 */
import { TrustError } from "../../core/errors.ts";
import type { Deploy } from "./scan_apps.ts";

/** What is compared of a candidate release. */
export interface Candidate {
  name: string;
  commit: string;
  serial?: number;
  updated?: string;
  /** Only honoured from signed metadata (the caller passes `false` otherwise). */
  allowDowngrade?: boolean;
}

/** Throws `TrustError` (exit 3) when `candidate` is older than `installed` and no signed permission says so. */
export function assertNotDowngrade(installed: Deploy, candidate: Candidate): void {
  if (candidate.allowDowngrade === true) return;
  const what = `Cannot install ${candidate.name} ${candidate.commit.slice(0, 12)}`;
  if (Number.isSafeInteger(installed.serial) && Number.isSafeInteger(candidate.serial)) {
    if ((candidate.serial as number) < (installed.serial as number)) {
      throw new TrustError(
        `${what}: serial ${candidate.serial} is older than the installed ${installed.serial} ` +
          `(${installed.commit.slice(0, 12)}) and the signed metadata does not allow a downgrade`,
      );
    }
    return;
  }
  const a = Date.parse(installed.updated ?? "");
  const b = Date.parse(candidate.updated ?? "");
  if (Number.isFinite(a) && Number.isFinite(b) && b < a) {
    throw new TrustError(
      `${what}: released ${candidate.updated}, older than the installed ${installed.updated} ` +
        `(${installed.commit.slice(0, 12)}); downgrades need signed permission`,
    );
  }
}
