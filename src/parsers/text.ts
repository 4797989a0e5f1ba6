/**
 * Byte-to-text decoding for syslog frames.
 *
 * Valid UTF-8 passes unchanged. A byte that is not part of a valid UTF-8 sequence is decoded
 * on its own through windows-1252, so a French Windows sender writing in its ANSI code page
 * (é = E9, ’ = 92) still reads right and mixed input keeps its valid UTF-8 parts. The table
 * for 0x80–0x9F is our own: Node 20's TextDecoder('windows-1252') maps that range to C1
 * controls (nodejs/node#60888).
 */
import { isUtf8 } from 'node:buffer';

/** windows-1252 code points for bytes 0x80–0x9F (WHATWG index; the five holes map to C1). */
const CP1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
  0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

export interface DecodedText {
  text: string;
  /** True when at least one byte was decoded as windows-1252. */
  fallback: boolean;
}

export function decodeText(bytes: Buffer): DecodedText {
  // Without arguments, toString goes straight to the UTF-8 decoder (no encoding lookup).
  const text = bytes.toString();
  // U+FFFD appears only for invalid input or when the sender wrote U+FFFD itself.
  if (!text.includes('\uFFFD') || isUtf8(bytes)) return { text, fallback: false };

  return { text: decodeWithFallback(bytes), fallback: true };
}

export function windows1252Char(byte: number): string {
  if (byte >= 0x80 && byte <= 0x9f) return String.fromCharCode(CP1252_HIGH[byte - 0x80]);
  return String.fromCharCode(byte);
}

function decodeWithFallback(bytes: Buffer): string {
  const parts: string[] = [];
  let runStart = 0;
  let index = 0;

  while (index < bytes.length) {
    const length = validSequenceLength(bytes, index);
    if (length > 0) {
      index += length;
      continue;
    }
    if (index > runStart) parts.push(bytes.toString('utf8', runStart, index));
    parts.push(windows1252Char(bytes[index]));
    index += 1;
    runStart = index;
  }
  if (runStart < bytes.length) parts.push(bytes.toString('utf8', runStart));
  return parts.join('');
}

/**
 * Length of the well-formed UTF-8 sequence starting at `index`, or 0 when the byte there does
 * not start one (Unicode Table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF).
 */
function validSequenceLength(bytes: Buffer, index: number): number {
  const lead = bytes[index];
  if (lead < 0x80) return 1;

  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0;
    if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f;
  } else return 0;

  if (index + length > bytes.length) return 0;
  const second = bytes[index + 1];
  if (second < low || second > high) return 0;
  for (let offset = 2; offset < length; offset += 1) {
    const next = bytes[index + offset];
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}
