/**
 * The archive's `line` format (DESIGN.md §4):
 *
 *   2026-12-03T18:58:13.000+01:00 core-sw1 %SYS-5-CONFIG_I: Configured from console by vty0
 *   <datetime, RFC 3339 in --timezone> SP <host> SP [<program>[ "[" <pid> "]" ] ": "] <msg> LF
 *
 * Every byte below 0x20 and 0x7F is written as `#` and three octal digits, as rsyslog does
 * (TAB `#011`, LF `#012`, NUL `#000`), so a record is always exactly one line.
 */
/** Anchored and greedy, a clean text is one pass: twice as fast as searching for a control. */
const CLEAN = /^[^\x00-\x1f\x7f]*$/;

export interface LineParts {
  datetime: string;
  host: string;
  program: string | null;
  pid: string | null;
  msg: string;
}

export function formatLine(parts: LineParts): string {
  let tag = '';
  if (parts.program !== null) {
    const pid = parts.pid === null ? '' : `[${escapeControl(parts.pid)}]`;
    tag = `${escapeControl(parts.program)}${pid}: `;
  }
  return `${parts.datetime} ${escapeControl(parts.host)} ${tag}${escapeControl(parts.msg)}\n`;
}

/** `#ooo` for each code below 0x80 (only controls are looked up). */
const ESCAPES = Array.from({ length: 0x80 }, (_, code) => `#${code.toString(8).padStart(3, '0')}`);

export function escapeControl(text: string): string {
  if (CLEAN.test(text)) return text;

  // A loop with a table, not `replace` with a callback: Snare lines hold a TAB per field,
  // and a callback per TAB cost twice as much.
  let escaped = '';
  let from = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) {
      escaped += text.slice(from, index) + ESCAPES[code];
      from = index + 1;
    }
  }
  return escaped + text.slice(from);
}
