/**
 * Private test data of core/names.
 * @module
 */

/** Strings no name rule may accept: traversal, separators, NUL, hidden files, options, encodings. */
export const HOSTILE: readonly string[] = [
  "",
  ".",
  "..",
  "../x",
  "x/..",
  ".hidden",
  "-rf",
  "_x",
  "+x",
  "a/b",
  "/abs",
  "a\\b",
  "a\0",
  "\0",
  "a\nb",
  "a b",
  " a",
  "é",
  "%2e%2e",
  "a:b",
  "~x",
];
