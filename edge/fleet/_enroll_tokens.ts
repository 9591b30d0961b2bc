/**
 * Private: the enrolment tokens of the SQL fleet store. Only a token's SHA-256 is stored, with its
 * expiry and the uses it has left (`null`: unlimited); expired tokens are deleted as new ones are added.
 */
import type { EnrollTokenRecord } from "./fleet_store.ts";
import type { SqlDriver } from "./_sql.ts";
import { writeBatch } from "./_sql_write.ts";
import { assertTokenHash, timeOf } from "./_store_checks.ts";

/** `FleetStore.addEnrollToken` over `db`. */
export async function addEnrollToken(
  db: SqlDriver,
  token: EnrollTokenRecord,
  options: { now?: Date } = {},
): Promise<void> {
  const { hash, expiresAt, uses } = token ?? {};
  assertTokenHash(hash);
  const expires = expiresAt instanceof Date ? expiresAt.getTime() : NaN;
  if (!Number.isFinite(expires)) {
    throw new TypeError("Cannot add enrolment token: 'expiresAt' must be a valid Date");
  }
  if (uses !== null && (!Number.isSafeInteger(uses) || uses < 1)) {
    throw new RangeError("Cannot add enrolment token: 'uses' must be null or a positive integer");
  }
  const now = timeOf(options.now, "add enrolment token");
  await writeBatch(db, [
    { sql: "DELETE FROM enroll_tokens WHERE expires_at <= ?1", params: [now] },
    {
      sql: "INSERT INTO enroll_tokens (hash, created_at, expires_at, uses_left) VALUES (?1, ?2, ?3, ?4)",
      params: [hash, now, expires, uses],
    },
  ], { id: "enrolment token" });
}

/** `FleetStore.useEnrollToken` over `db`: spends one use of an unexpired token; `false` when none. */
export async function useEnrollToken(
  db: SqlDriver,
  hash: string,
  options: { now?: Date } = {},
): Promise<boolean> {
  assertTokenHash(hash);
  const now = timeOf(options.now, "use enrolment token");
  const [used] = await writeBatch(db, [{
    sql: `UPDATE enroll_tokens SET uses_left = uses_left - 1
      WHERE hash = ?1 AND expires_at > ?2 AND (uses_left IS NULL OR uses_left > 0) RETURNING hash`,
    params: [hash, now],
  }], { id: "enrolment token" });
  return (used?.length ?? 0) > 0;
}
