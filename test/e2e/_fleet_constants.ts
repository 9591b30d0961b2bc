/**
 * The fleet rollback scenario's names and release contents (see `_fleet_rollback.ts`): the operator's
 * and the enrolment tokens, the app, its two releases, and release 2's health check, which fails on a
 * board marked by the file `<target>/board-rev-a`.
 * @module
 */

export const OPERATOR_TOKEN = "operator-token-fleet-rollback";
export const ENROLL_TOKEN = "enroll-token-fleet-rollback";
export const APP = { name: "acme/radio", ref: "main", dir: "radio" } as const;
export const COMMIT_1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
export const COMMIT_2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
/** The marker of the boards release 2 does not run on (the health check's cwd is `<target>/radio/releases/<id>`). */
export const MARKER = "board-rev-a";
/** Release 1's health check: always healthy. */
export const CHECK_1 = "#!/bin/sh\nexit 0\n";
/** Release 2's health check: fails on a board with MARKER. */
export const CHECK_2 =
  `#!/bin/sh\nif [ -e ../../../${MARKER} ]; then echo "radio 2 does not run on ${MARKER}" >&2; exit 3; fi\n`;
export const HEALTH = ["--health-cmd", "./bin/check"];
