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

  const close = text.slice(0, CLOSE_SEARCH_LIMIT).indexOf('>');
  if (close === -1) return { kind: 'invalid', evidence: unterminatedEvidence(text) };
  if (close === 1) return { kind: 'invalid', evidence: '<>' };

  const digits = text.slice(1, close);
  if (!isPrivalDigits(digits)) return { kind: 'invalid', evidence: digits };

  const value = Number(digits);
  if (value > MAX_PRIVAL) return { kind: 'invalid', evidence: digits };

  return {
    kind: 'valid',
    facility: value >> 3,
    severity: value & 7,
    end: close + 1,
    leadingZero: digits.length > 1 && digits.charCodeAt(0) === 0x30,
  };
}

function isPrivalDigits(digits: string): boolean {
  if (digits.length > 3) return false;
  for (let index = 0; index < digits.length; index += 1) {
    const code = digits.charCodeAt(index);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

function unterminatedEvidence(text: string): string {
  let end = 1;
  while (end < text.length && end <= 3 && isDigit(text.charCodeAt(end))) end += 1;
  return `${text.slice(0, end)} (no ">")`;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
