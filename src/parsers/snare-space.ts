/**
 * Snare payloads whose delimiter is a single space (a destination option of the agent). The
 * delimiter then also occurs inside DATETIME and inside many values (`Success Audit`,
 * `Service Control Manager`, `Directory Service`), so fields cannot be read by position.
 * This reader uses anchors instead, and flags every record it returns `snare_ambiguous`:
 *
 *   CRITICALITY SP LOG SP COUNTER SP DATETIME SP EVENT-ID SP SOURCE SP USER SP
 *   SID-TYPE SP EVENT-TYPE SP COMPUTER SP CATEGORY SP DATA SP EXPANDED SP TRAILER
 *
 * - LOG is everything between CRITICALITY and the COUNTER that precedes DATETIME;
 * - SID-TYPE SP EVENT-TYPE is found from their fixed vocabularies (Windows SID_NAME_USE names,
 *   event log entry types); USER is the last word before it, SOURCE the words before USER;
 * - COMPUTER is one word (a host name); TRAILER is the last word when it is shaped like one;
 * - CATEGORY ends at the double space an empty DATA leaves; without one, the words after
 *   COMPUTER are kept whole as EXPANDED and CATEGORY stays null rather than guessed.
 */
import type { RecordFields } from '../record.js';
import { isDigits } from './chars.js';
import { emptySnareFields, isSnareDatetime, isTrailer } from './snare-fields.js';

/** Event log names are short (`Security`, `Directory Service`); bounds the DATETIME search. */
const MAX_LOG_NAME = 64;
/** SOURCE and USER together; bounds the vocabulary search. */
const MAX_SOURCE_AND_USER = 512;
const DATETIME_LENGTH = 24;
const SID_TYPES = ['N/A', 'User', 'Group', 'Domain', 'Alias', 'Well Known Group',
  'Deleted Account', 'Invalid', 'Unknown', 'Computer', 'Label'];
const EVENT_TYPES = ['Success Audit', 'Failure Audit', 'Information', 'Warning', 'Error',
  'Critical', 'Verbose'];

interface Cursor {
  text: string;
  index: number;
}

export function readSpaceDelimitedPayload(payload: string): RecordFields | null {
  const criticalityEnd = payload.indexOf(' ');
  if (criticalityEnd < 1 || !isDigits(payload.slice(0, criticalityEnd))) return null;

  const dateAt = findDatetime(payload, criticalityEnd);
  if (dateAt === null) return null;
  const counterStart = payload.lastIndexOf(' ', dateAt - 2) + 1;
  if (counterStart <= criticalityEnd + 1) return null;

  const eventIdEnd = payload.indexOf(' ', dateAt + DATETIME_LENGTH + 1);
  const eventId = payload.slice(dateAt + DATETIME_LENGTH + 1, eventIdEnd);
  if (eventIdEnd === -1 || !isDigits(eventId)) return null;

  const fields = emptySnareFields();
  fields.criticality = Number(payload.slice(0, criticalityEnd));
  fields.event_log = payload.slice(criticalityEnd + 1, counterStart - 1);
  fields.snare_counter = Number(payload.slice(counterStart, dateAt - 1));
  fields.event_time = payload.slice(dateAt, dateAt + DATETIME_LENGTH);
  fields.event_id = Number(eventId);
  fields.snare_ambiguous = true;
  readNamedFields({ text: payload, index: eventIdEnd + 1 }, fields);
  return fields;
}

/** Index of `COUNTER SP DATETIME SP`'s DATETIME, searched within the first words. */
function findDatetime(payload: string, from: number): number | null {
  let space = payload.indexOf(' ', from + 1);
  while (space !== -1 && space - from <= MAX_LOG_NAME) {
    const candidate = payload.slice(space + 1, space + 1 + DATETIME_LENGTH);
    if (isSnareDatetime(candidate) && payload[space + 1 + DATETIME_LENGTH] === ' ' &&
      isDigits(payload.slice(payload.lastIndexOf(' ', space - 1) + 1, space))) {
      return space + 1;
    }
    space = payload.indexOf(' ', space + 1);
  }
  return null;
}

function readNamedFields(cursor: Cursor, fields: RecordFields): void {
  const anchor = findTypeAnchor(cursor);
  if (anchor === null) {
    fields.expanded = cursor.text.slice(cursor.index);
    return;
  }
  const sourceAndUser = cursor.text.slice(cursor.index, anchor.at);
  const userStart = sourceAndUser.lastIndexOf(' ');
  fields.event_source = userStart === -1 ? sourceAndUser : sourceAndUser.slice(0, userStart);
  fields.user = userStart === -1 ? null : sourceAndUser.slice(userStart + 1);
  fields.sid_type = anchor.sidType;
  fields.event_type = anchor.eventType;
  readComputerAndText(cursor.text.slice(anchor.end), fields);
}

interface TypeAnchor {
  at: number;
  end: number;
  sidType: string;
  eventType: string;
}

/** The earliest ` SID-TYPE EVENT-TYPE ` in the words after EVENT-ID. */
function findTypeAnchor(cursor: Cursor): TypeAnchor | null {
  const window = cursor.text.slice(cursor.index - 1, cursor.index + MAX_SOURCE_AND_USER);
  let best: TypeAnchor | null = null;
  for (const sidType of SID_TYPES) {
    for (const eventType of EVENT_TYPES) {
      const needle = ` ${sidType} ${eventType} `;
      const found = window.indexOf(needle);
      if (found === -1 || (best !== null && cursor.index - 1 + found >= best.at)) continue;
      const at = cursor.index - 1 + found;
      best = { at, end: at + needle.length, sidType, eventType };
    }
  }
  return best;
}

/** COMPUTER SP CATEGORY SP DATA SP EXPANDED SP TRAILER, as far as it can be told apart. */
function readComputerAndText(text: string, fields: RecordFields): void {
  const computerEnd = text.indexOf(' ');
  fields.computer = computerEnd === -1 ? text : text.slice(0, computerEnd);
  if (computerEnd === -1) return;

  let body = text.slice(computerEnd + 1);
  const trailerStart = body.lastIndexOf(' ');
  if (trailerStart !== -1 && isTrailer(body.slice(trailerStart + 1))) {
    fields.trailer = body.slice(trailerStart + 1);
    body = body.slice(0, trailerStart);
  }

  const emptyData = body.indexOf('  ');
  if (emptyData === -1) {
    fields.expanded = body;
    return;
  }
  fields.category = body.slice(0, emptyData);
  fields.data = '';
  fields.expanded = body.slice(emptyData + 2);
}
