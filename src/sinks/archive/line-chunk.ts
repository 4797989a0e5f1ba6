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

/**
 * Encodes the lines of several files in one allocation of its own (a buffer that can be moved
 * to another thread whole): chunk i holds `groups[i]`. String lines must each end with their
 * only LF.
 */
export function encodeLineGroups(groups: ReadonlyArray<readonly ArchiveLine[]>): LineChunk[] {
  const parts = groups.map(partOf);
  const bytes = Buffer.allocUnsafeSlow(parts.reduce((sum, part) => sum + part.size, 0));
  const chunks: LineChunk[] = [];
  let offset = 0;
  for (const part of parts) {
    const start = offset;
    if (part.text !== null) {
      offset += bytes.write(part.text, offset);
      chunks.push({ bytes: bytes.subarray(start, offset), lines: part.lines, lineEnds: null });
      continue;
    }
    const lineEnds: number[] = [];
    for (const buffer of part.buffers) {
      bytes.set(buffer, offset);
      offset += buffer.length;
      lineEnds.push(offset - start);
    }
    chunks.push({ bytes: bytes.subarray(start, offset), lines: part.lines, lineEnds });
  }
  return chunks;
}

/** One file's lines, joined when they are all text (one encoder call instead of one each). */
interface GroupPart {
  text: string | null;
  buffers: Buffer[];
  size: number;
  lines: number;
}

function partOf(lines: readonly ArchiveLine[]): GroupPart {
  if (lines.every((line) => typeof line === 'string')) {
    const text = (lines as string[]).join('');
    return { text, buffers: [], size: Buffer.byteLength(text), lines: lines.length };
  }
  const buffers = lines.map((line) => (typeof line === 'string' ? Buffer.from(line) : line));
  const size = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  return { text: null, buffers, size, lines: lines.length };
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
