/**
 * The body of a parse thread (see parse-threads.ts): one Preparer, fed the reads of the
 * streams and the datagrams assigned to this thread, answering each piece of work with its
 * outcome, in the order the work came.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  asBuffer, transferablesOf, unpackDatagrams, type ThreadReply, type ThreadRequest,
} from './parse-threads.js';
import { Preparer, type ParseOutcome, type PreparerSettings } from './preparer.js';

const port = parentPort;
if (port === null) throw new Error('parse-thread runs as a worker thread only');

const preparer = new Preparer(workerData as PreparerSettings);

port.on('message', (request: ThreadRequest) => {
  const outcome = work(request);
  if (outcome === null) return;
  const reply: ThreadReply = { kind: 'outcome', outcome };
  port.postMessage(reply, transferablesOf(outcome));
});
port.postMessage({ kind: 'ready' } satisfies ThreadReply);

function work(request: ThreadRequest): ParseOutcome | null {
  switch (request.kind) {
    case 'open':
      preparer.openStream(request.stream, request.meta);
      return null;
    case 'chunk':
      return preparer.streamChunk(request.stream, asBuffer(request.bytes), request.receivedAt);
    case 'end':
      return preparer.endStream(request.stream, request.receivedAt);
    case 'datagrams':
      return preparer.datagrams(unpackDatagrams(request.pack));
  }
}
