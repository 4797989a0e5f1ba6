// The raw Node receive ceiling: a minimal receiver that only counts (datagrams on UDP, LF
// bytes on TCP) and parses, formats and stores nothing, so a collector in Node cannot take
// messages in faster than this on the same machine. It asks for the same 8 MiB UDP receive
// buffer as logharbor. Started by the runner with an IPC channel; each 'report' message is
// answered with { count, lastAt } (epoch ms of the last message counted).
//
//   node bench/lib/node-recv.mjs udp|tcp PORT
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const LF = 0x0a;
const RECEIVE_BUFFER = 8 * 1024 * 1024;
const [transport, port] = [process.argv[2], Number(process.argv[3])];
let count = 0;
let lastAt = 0;

function countDatagram() {
  count += 1;
  lastAt = Date.now();
}

function countLines(chunk) {
  for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, at + 1)) count += 1;
  lastAt = Date.now();
}

if (transport === 'udp') {
  const socket = createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER });
  socket.on('message', countDatagram);
  socket.bind(port, '127.0.0.1');
} else {
  const server = createServer((connection) => {
    connection.on('data', countLines);
    // A sender that resets is the sender's business; the count stands.
    connection.on('error', () => connection.destroy());
  });
  server.listen(port, '127.0.0.1');
}

process.on('message', () => process.send({ count, lastAt }));
process.on('disconnect', () => process.exit(0));
