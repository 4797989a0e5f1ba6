/**
 * The work done for every message, on whichever thread does it: framing a stream's bytes,
 * parsing each frame into a record, and preparing what each sink writes (BatchBuilder). It
 * does no I/O. Its state is a framer per open stream and the parser chain's bounded OpenERP
 * memory, so the streams (and datagram senders) it is given must always be given to it, not
 * to another Preparer: a parse thread runs one, and the main thread runs one when there are
 * no parse threads.
 */
import { isAscii } from 'node:buffer';
import { ParserChain } from '../parsers/chain.js';
import type { ReceiveMeta } from '../record.js';
import { TcpFramer, type Frame } from '../receiver/framing.js';
import { PathTemplate } from '../sinks/archive/path-template.js';
import { recordEncoder, type ArchiveFormat } from '../sinks/archive/record-encoder.js';
import { RowMapper, type HostFrom } from '../sinks/row.js';
import { ZoneClock } from '../zone-clock.js';
import { BatchBuilder, type PreparedBatch, type Tally } from './prepared-batch.js';

/** Plain data, so that it can be handed to a parse thread as it is. */
export interface PreparerSettings {
  timezone: string;
  hostFrom: HostFrom;
  instance: string;
  /** Null when there is no archive. */
  archive: { pathTemplate: string; format: ArchiveFormat } | null;
  sql: boolean;
  watchHosts: readonly string[];
  maxMessageSize: number;
}

/** What a stream's records share: everything but the time each read arrived. */
export type StreamMeta = Omit<ReceiveMeta, 'receivedAt'>;

export interface Datagram {
  frame: Buffer;
  meta: ReceiveMeta;
  /** The datagram was longer than --max-message-size and `frame` holds its first bytes. */
  truncated: boolean;
}

export interface ParseOutcome {
  batch: PreparedBatch | null;
  tally: Tally;
  /** Messages found: the receiver's counter, and what a rate-limited sender spent. */
  frames: number;
  /** Empty lines or frames skipped (counted `empty`). */
  empty: number;
  /** Bytes of a frame cut short by the end of its stream (dropped, `partial_frame`). */
  partialBytes: number;
}

interface OpenStream {
  framer: TcpFramer;
  meta: StreamMeta;
}

export class Preparer {
  readonly #parser: ParserChain;
  readonly #builder: BatchBuilder;
  readonly #maxFrameSize: number;
  readonly #streams = new Map<number, OpenStream>();

  constructor(settings: PreparerSettings) {
    const clock = new ZoneClock(settings.timezone);
    const mapper = new RowMapper({ clock, hostFrom: settings.hostFrom });
    const archive = settings.archive === null ? null : {
      template: new PathTemplate(settings.archive.pathTemplate,
        { clock, instance: settings.instance }),
      encode: recordEncoder(settings.archive.format, { mapper, clock }),
    };
    this.#parser = new ParserChain({ clock });
    this.#builder = new BatchBuilder({ mapper, clock, archive, sql: settings.sql,
      watched: new Set(settings.watchHosts.map((name) => name.toLowerCase())) });
    this.#maxFrameSize = settings.maxMessageSize;
  }

  openStream(stream: number, meta: StreamMeta): void {
    this.#streams.set(stream, { framer: new TcpFramer({ maxFrameSize: this.#maxFrameSize }),
      meta });
  }

  /** One read of an open stream: its complete frames become records. */
  streamChunk(stream: number, chunk: Buffer, receivedAt: number): ParseOutcome {
    const open = this.#open(stream);
    const meta: ReceiveMeta = { ...open.meta, receivedAt: new Date(receivedAt) };
    const emptyBefore = open.framer.emptyFrames;

    const frames = open.framer.push(chunk);
    // One decoder call per read instead of one per frame, where bytes and characters agree.
    const text = frames.length > 1 && isAscii(chunk) ? chunk.toString('latin1') : null;
    for (const frame of frames) {
      const record = this.#parser.parse(frame.bytes, meta, sliceOf(text, chunk, frame.bytes));
      this.#builder.add(record, frame.truncated);
    }
    return { ...this.#builder.take(), frames: frames.length,
      empty: open.framer.emptyFrames - emptyBefore, partialBytes: 0 };
  }

  /** The stream ended: a final line without its trailer is a message; the stream is forgotten. */
  endStream(stream: number, receivedAt: number): ParseOutcome {
    const open = this.#open(stream);
    this.#streams.delete(stream);
    const meta: ReceiveMeta = { ...open.meta, receivedAt: new Date(receivedAt) };

    const end = open.framer.end();
    this.#addFrames(end.frames, meta);
    return { ...this.#builder.take(), frames: end.frames.length, empty: 0,
      partialBytes: end.partialBytes };
  }

  datagrams(datagrams: readonly Datagram[]): ParseOutcome {
    for (const datagram of datagrams) {
      this.#builder.add(this.#parser.parse(datagram.frame, datagram.meta), datagram.truncated);
    }
    return { ...this.#builder.take(), frames: datagrams.length, empty: 0, partialBytes: 0 };
  }

  #addFrames(frames: readonly Frame[], meta: ReceiveMeta): void {
    for (const frame of frames) {
      this.#builder.add(this.#parser.parse(frame.bytes, meta), frame.truncated);
    }
  }

  #open(stream: number): OpenStream {
    const open = this.#streams.get(stream);
    if (open === undefined) throw new Error(`Stream ${stream} is not open in this preparer`);
    return open;
  }
}

/**
 * The text of a frame lying inside `chunk`, cut from the chunk's text (decoded once for all
 * its frames). Only for all-ASCII reads, where byte and character offsets agree. A frame
 * joined from several reads has its own bytes and is decoded on its own.
 */
function sliceOf(text: string | null, chunk: Buffer, frame: Buffer): string | undefined {
  if (text === null || frame.buffer !== chunk.buffer) return undefined;
  const start = frame.byteOffset - chunk.byteOffset;
  if (start < 0 || start + frame.length > chunk.length) return undefined;
  return text.slice(start, start + frame.length);
}
