/**
 * A chunk is the bytes of consecutive whole archive lines bound for one file, encoded once.
 * Rotation and failure handling cut chunks only at line ends, so a file always holds whole
 * lines. In the `line` and `json` formats a line holds exactly one LF, its last byte, so line
 * ends are found by scanning; `raw` lines may hold LFs of their own (octet-counted frames),
 * so their ends are listed.
 */
export type ArchiveLine = string | Buffer;

export interface LineChunk {
  bytes: Buffer;
  lines: number;
  /** Offsets just past each line, for lines that may contain LF; null: every LF ends one. */
  lineEnds: number[] | null;
}

const LF = 0x0a;

/** Encodes lines in one allocation; string lines must each end with their only LF. */
export function encodeLines(lines: readonly ArchiveLine[]): LineChunk {
  if (lines.every((line) => typeof line === 'string')) {
    return { bytes: Buffer.from((lines as string[]).join('')), lines: lines.length,
      lineEnds: null };
  }
  const buffers = lines.map((line) => (typeof line === 'string' ? Buffer.from(line) : line));
  const lineEnds: number[] = [];
  let end = 0;
  for (const buffer of buffers) {
    end += buffer.length;
    lineEnds.push(end);
  }
  return { bytes: Buffer.concat(buffers, end), lines: lines.length, lineEnds };
}

/** The end of the last whole line that starts at `start` and ends within `limit`; else start. */
export function lastLineEndWithin(chunk: LineChunk, start: number, limit: number): number {
  const bound = Math.min(chunk.bytes.length, limit);
  if (chunk.lineEnds !== null) {
    let best = start;
    for (const end of chunk.lineEnds) {
      if (end > bound) break;
      if (end > start) best = end;
    }
    return best;
  }
  if (bound <= start) return start;
  const lf = chunk.bytes.lastIndexOf(LF, bound - 1);
  return lf < start ? start : lf + 1;
}

/** The end of the first line at or after `start`. */
export function firstLineEnd(chunk: LineChunk, start: number): number {
  if (chunk.lineEnds !== null) {
    return chunk.lineEnds.find((end) => end > start) ?? chunk.bytes.length;
  }
  const lf = chunk.bytes.indexOf(LF, start);
  return lf < 0 ? chunk.bytes.length : lf + 1;
}

/** The lines of `chunk` from `start` on, as a chunk of their own. */
export function chunkFrom(chunk: LineChunk, start: number): LineChunk {
  if (start === 0) return chunk;
  const bytes = chunk.bytes.subarray(start);
  if (chunk.lineEnds !== null) {
    const lineEnds = chunk.lineEnds.filter((end) => end > start).map((end) => end - start);
    return { bytes, lines: lineEnds.length, lineEnds };
  }
  let lines = 0;
  for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) lines += 1;
  return { bytes, lines, lineEnds: null };
}

/** One chunk holding the lines of `chunks` in order, so they go out in one write. */
export function joinChunks(chunks: readonly LineChunk[]): LineChunk {
  if (chunks.length === 1) return chunks[0];
  const bytes = Buffer.concat(chunks.map((chunk) => chunk.bytes));
  const lines = chunks.reduce((sum, chunk) => sum + chunk.lines, 0);
  if (chunks.every((chunk) => chunk.lineEnds === null)) return { bytes, lines, lineEnds: null };

  const lineEnds: number[] = [];
  let base = 0;
  for (const chunk of chunks) {
    for (const end of chunk.lineEnds ?? lfEnds(chunk.bytes)) lineEnds.push(base + end);
    base += chunk.bytes.length;
  }
  return { bytes, lines, lineEnds };
}

function lfEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) ends.push(at + 1);
  return ends;
}
