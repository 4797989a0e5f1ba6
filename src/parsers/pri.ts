/**
 * PRI = "<" PRIVAL ">", PRIVAL = 1*3DIGIT with a value of 0–191 (RFC 5424 §6.2.1).
 *
 * A leading zero is forbidden by the RFC but sent by real relays (`<014>`): accepted and
 * flagged. Anything else that starts with `<` and is not a PRI (`<>`, `<999>`, `<-1>`, `<0013>`,
 * `<13 ...`) is invalid: the caller keeps the whole text as an unparsed record.
 */

export type PriOutcome =
  | { kind: 'valid'; facility: number; severity: number; end: number; leadingZero: boolean }
  | { kind: 'missing' }
  | { kind: 'invalid'; evidence: string };

const MAX_PRIVAL = 191;
/** Where to look for the closing `>`: far enough to quote a bad value, never the whole text. */
const CLOSE_SEARCH_LIMIT = 8;

export function parsePri(text: string): PriOutcome {
  if (text.charCodeAt(0) !== 0x3c) return { kind: 'missing' };

  // Fast path, read by code unit: `<` 1–3 digits `>` with no leading zero.
  let value = 0;
  let index = 1;
  while (index <= 3 && isDigit(text.charCodeAt(index))) {
    value = value * 10 + text.charCodeAt(index) - 0x30;
    index += 1;
  }
  if (index > 1 && text.charCodeAt(index) === 0x3e && value <= MAX_PRIVAL) {
    return { kind: 'valid', facility: value >> 3, severity: value & 7, end: index + 1,
      leadingZero: index > 2 && text.charCodeAt(1) === 0x30 };
  }
  return invalidPri(text);
}

/** Why a text that starts with `<` has no valid PRI, quoting the offending value. */
function invalidPri(text: string): PriOutcome {
  const close = text.slice(0, CLOSE_SEARCH_LIMIT).indexOf('>');
  if (close === -1) return { kind: 'invalid', evidence: unterminatedEvidence(text) };
  if (close === 1) return { kind: 'invalid', evidence: '<>' };
  return { kind: 'invalid', evidence: text.slice(1, close) };
}

function unterminatedEvidence(text: string): string {
  let end = 1;
  while (end < text.length && end <= 3 && isDigit(text.charCodeAt(end))) end += 1;
  return `${text.slice(0, end)} (no ">")`;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
