/**
 * Framing of a TCP syslog byte stream (RFC 6587), decided again at every frame start:
 *
 *   octet counting:   MSG-LEN SP SYSLOG-MSG     MSG-LEN = NONZERO-DIGIT *DIGIT (octets)
 *   non-transparent:  SYSLOG-MSG TRAILER        TRAILER = LF, or NUL; one CR before it is dropped
 *
 * A frame start of `[1-9][0-9]* SP <` is octet counting; anything else, including
 * `2 cats crossed the road`, is a line. Frames longer than the cap keep their first bytes and
 * are flagged; the rest of an oversized frame is skipped exactly (octet counting) or up to the
 * next trailer (lines), so the stream stays in step. The framer does no I/O.
 */

export interface Frame {
  bytes: Buffer;
  /** The frame was longer than the cap and only its first bytes are kept. */
  truncated: boolean;
}

export interface FramerOptions {
  /** Largest frame kept whole, in bytes (`--max-message-size`). */
  maxFrameSize: number;
}

export interface FramerEnd {
  /** A final line without its trailer, delivered because its bytes are complete. */
  frames: Frame[];
  /** Bytes of an octet-counted frame cut short by the end of the stream (dropped). */
  partialBytes: number;
}

type FramerState = 'start' | 'prefix' | 'octets' | 'octets-skip' | 'line' | 'line-skip';

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SPACE = 0x20;
const LESS_THAN = 0x3c;
/** 9 digits allow frames up to 999,999,999 bytes; more is not a length. */
const MAX_LENGTH_DIGITS = 9;

export class TcpFramer {
  /** Empty lines seen so far; the receiver counts them as `empty`. */
  emptyFrames = 0;

  readonly #maxFrameSize: number;
  #state: FramerState = 'start';
  #prefix = '';
  #remaining = 0;
  #parts: Buffer[] = [];
  #partsLength = 0;
  #afterNul = false;
  #nextLf = -1;
  #nextNul = -1;

  constructor(options: FramerOptions) {
    this.#maxFrameSize = options.maxFrameSize;
  }

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    this.#nextLf = -1;
    this.#nextNul = -1;

    let index = 0;
    while (index < chunk.length) {
      index = this.#step(chunk, index, frames);
    }
    return frames;
  }

  end(): FramerEnd {
    const frames: Frame[] = [];
    let partialBytes = 0;

    if (this.#state === 'prefix') this.#appendPart(Buffer.from(this.#prefix, 'latin1'));
    if (this.#state === 'prefix' || this.#state === 'line') {
      const line = withoutCr(this.#takeParts());
      if (line.length > 0) frames.push({ bytes: line, truncated: false });
    } else if (this.#state === 'octets') {
      partialBytes = this.#partsLength;
    }
    this.#reset();
    return { frames, partialBytes };
  }

  #step(chunk: Buffer, index: number, frames: Frame[]): number {
    switch (this.#state) {
      case 'start': return this.#startFrame(chunk, index);
      case 'prefix': return this.#readPrefix(chunk, index);
      case 'octets': return this.#readOctets(chunk, index, frames);
      case 'octets-skip': return this.#skipOctets(chunk, index);
      case 'line': return this.#readLine(chunk, index, frames);
      case 'line-skip': return this.#skipLine(chunk, index);
    }
  }

  #startFrame(chunk: Buffer, index: number): number {
    const byte = chunk[index];
    this.#state = byte >= 0x31 && byte <= 0x39 ? 'prefix' : 'line';
    return index;
  }

  /** Reads `digits SP` and peeks at the next byte to decide between the two framings. */
  #readPrefix(chunk: Buffer, index: number): number {
    const byte = chunk[index];
    const hasSpace = this.#prefix.endsWith(' ');

    if (hasSpace) {
      if (byte === LESS_THAN) {
        this.#remaining = Number(this.#prefix.slice(0, -1));
        this.#prefix = '';
        this.#state = 'octets';
        return index;
      }
      return this.#prefixIsLine(index);
    }
    if (byte >= 0x30 && byte <= 0x39 && this.#prefix.length < MAX_LENGTH_DIGITS) {
      this.#prefix += String.fromCharCode(byte);
      return index + 1;
    }
    if (byte === SPACE && this.#prefix.length > 0) {
      this.#prefix += ' ';
      return index + 1;
    }
    return this.#prefixIsLine(index);
  }

  #prefixIsLine(index: number): number {
    this.#appendPart(Buffer.from(this.#prefix, 'latin1'));
    this.#prefix = '';
    this.#state = 'line';
    return index;
  }

  #readOctets(chunk: Buffer, index: number, frames: Frame[]): number {
    const available = Math.min(this.#remaining, chunk.length - index);
    const kept = Math.max(0, Math.min(available, this.#maxFrameSize - this.#partsLength));
    this.#appendPart(chunk.subarray(index, index + kept));
    this.#remaining -= available;
    const next = index + available;

    if (this.#remaining === 0) {
      this.#emitOctetFrame(frames, kept < available);
    } else if (this.#partsLength >= this.#maxFrameSize) {
      this.#emitOctetFrame(frames, true);
      this.#state = 'octets-skip';
    }
    return next;
  }

  #emitOctetFrame(frames: Frame[], truncated: boolean): void {
    const bytes = this.#takeParts();
    const frame = truncated ? bytes : stripTerminator(bytes);
    if (frame.length === 0) this.emptyFrames += 1;
    else frames.push({ bytes: frame, truncated });
    this.#afterNul = false;
    if (this.#state === 'octets') this.#state = 'start';
  }

  #skipOctets(chunk: Buffer, index: number): number {
    const skipped = Math.min(this.#remaining, chunk.length - index);
    this.#remaining -= skipped;
    if (this.#remaining === 0) this.#state = 'start';
    return index + skipped;
  }

  #readLine(chunk: Buffer, index: number, frames: Frame[]): number {
    const trailer = this.#nextTrailer(chunk, index);
    const end = trailer === -1 ? chunk.length : trailer;
    const room = this.#maxFrameSize - this.#partsLength;

    if (end - index > room) {
      this.#appendPart(chunk.subarray(index, index + room));
      frames.push({ bytes: this.#takeParts(), truncated: true });
      this.#state = 'line-skip';
      return index + room;
    }
    this.#appendPart(chunk.subarray(index, end));
    if (trailer === -1) return end;

    this.#emitLine(frames, chunk[trailer] === NUL);
    return trailer + 1;
  }

  #emitLine(frames: Frame[], endsWithNul: boolean): void {
    const bytes = withoutCr(this.#takeParts());

    // `msg NUL LF`: the LF after a NUL trailer closes nothing, it is not an empty line.
    const echoOfNul = this.#afterNul && !endsWithNul && bytes.length === 0;
    if (bytes.length > 0) frames.push({ bytes, truncated: false });
    else if (!echoOfNul) this.emptyFrames += 1;
    this.#afterNul = endsWithNul;
    this.#state = 'start';
  }

  #skipLine(chunk: Buffer, index: number): number {
    const trailer = this.#nextTrailer(chunk, index);
    if (trailer === -1) return chunk.length;
    this.#afterNul = chunk[trailer] === NUL;
    this.#state = 'start';
    return trailer + 1;
  }

  /** Position of the next LF or NUL at or after `index`, searching each chunk once per kind. */
  #nextTrailer(chunk: Buffer, index: number): number {
    if (this.#nextLf !== Infinity && this.#nextLf < index) {
      const found = chunk.indexOf(LF, index);
      this.#nextLf = found === -1 ? Infinity : found;
    }
    if (this.#nextNul !== Infinity && this.#nextNul < index) {
      const found = chunk.indexOf(NUL, index);
      this.#nextNul = found === -1 ? Infinity : found;
    }
    const next = Math.min(this.#nextLf, this.#nextNul);
    return next === Infinity ? -1 : next;
  }

  #appendPart(part: Buffer): void {
    if (part.length === 0) return;
    this.#parts.push(part);
    this.#partsLength += part.length;
  }

  #takeParts(): Buffer {
    const bytes = this.#parts.length === 1
      ? this.#parts[0]
      : Buffer.concat(this.#parts, this.#partsLength);
    this.#parts = [];
    this.#partsLength = 0;
    return bytes;
  }

  #reset(): void {
    this.#state = 'start';
    this.#prefix = '';
    this.#remaining = 0;
    this.#parts = [];
    this.#partsLength = 0;
    this.#afterNul = false;
  }
}

function withoutCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
}

/**
 * Removes one trailing LF, then one CR, then one NUL: the terminators senders put at the end
 * of a datagram or inside an octet count (syslog-ng, rsyslog, Windows, Python's handler).
 */
export function stripTerminator(bytes: Buffer): Buffer {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === LF) end -= 1;
  if (end > 0 && bytes[end - 1] === CR) end -= 1;
  if (end > 0 && bytes[end - 1] === NUL) end -= 1;
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}
