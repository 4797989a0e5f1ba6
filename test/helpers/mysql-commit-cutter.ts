/**
 * A loopback proxy in front of a MySQL/MariaDB server that cuts the connection at a COMMIT,
 * the moment a client cannot tell whether its transaction committed.
 *
 *   client packet = length (3 bytes, little-endian) · sequence (1 byte) · payload
 *   COM_QUERY payload = 0x03 · statement text
 *
 * `after`: the COMMIT reaches the server and its answer is awaited (so the transaction did
 * commit), then both sides are cut before the client hears of it. `before`: the COMMIT is
 * dropped and both sides are cut (the server rolls the transaction back). Each armed cut
 * happens once; every later connection is passed through untouched.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type CommitCut = 'after' | 'before';

const COM_QUERY = 0x03;

export interface CommitCutter {
  port: number;
  /** Cuts still armed, in the order they will happen. */
  readonly armed: CommitCut[];
  /** How many cuts happened. */
  cuts: number;
  close(): Promise<void>;
}

export async function startCommitCutter(target: { host: string; port: number }):
  Promise<CommitCutter> {
  const sockets = new Set<Socket>();
  const cutter: CommitCutter = { port: 0, armed: [], cuts: 0, close: async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  } };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.on('data', (chunk) => client.write(chunk));
    relayClientPackets(client, upstream, cutter);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  cutter.port = typeof address === 'object' && address !== null ? address.port : 0;
  return cutter;
}

/** Forwards whole client packets, watching each for a COMMIT while a cut is armed. */
function relayClientPackets(client: Socket, upstream: Socket, cutter: CommitCutter): void {
  let pending = Buffer.alloc(0);
  client.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const length = pending.readUIntLE(0, 3);
      if (pending.length < 4 + length) break;
      const packet = pending.subarray(0, 4 + length);
      pending = pending.subarray(4 + length);
      if (isCommit(packet) && cutter.armed.length > 0) {
        cut(cutter.armed.shift() as CommitCut, packet, { client, upstream });
        cutter.cuts += 1;
        return;
      }
      upstream.write(packet);
    }
  });
}

function isCommit(packet: Buffer): boolean {
  return packet[4] === COM_QUERY &&
    packet.toString('utf8', 5).trim().toLowerCase() === 'commit';
}

function cut(kind: CommitCut, commit: Buffer, link: { client: Socket; upstream: Socket }): void {
  link.client.pause();
  if (kind === 'before') {
    link.client.destroy();
    link.upstream.destroy();
    return;
  }
  link.upstream.removeAllListeners('data');
  link.upstream.once('data', () => {
    link.client.destroy();
    link.upstream.destroy();
  });
  link.upstream.write(commit);
}
