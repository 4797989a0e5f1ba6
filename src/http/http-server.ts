/**
 * The collector's HTTP endpoints (DESIGN.md §7): `/healthz` (the process and its event loop
 * answer), `/readyz` (listeners bound and sinks writing), `/stats.json` (flat counters) and
 * `/metrics` (the same figures for Prometheus).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { ListenAddress } from '../receiver/listen-address.js';
import { ListenError } from '../receiver/listen-error.js';

export interface Readiness {
  ready: boolean;
  reasons: string[];
  /** What is wrong without costing readiness yet (a sink spooling within the grace). */
  degraded?: string[];
}

export interface HttpServerOptions {
  log: Logger;
  readiness: () => Readiness;
  stats: () => Record<string, number>;
  metrics: { contentType: string; render: () => Promise<string> };
}

const PATHS = ['/healthz', '/readyz', '/stats.json', '/metrics'];

export class HttpServer {
  readonly address: ListenAddress;
  readonly #options: HttpServerOptions;
  #server: Server | null = null;
  #port = 0;

  constructor(address: ListenAddress, options: HttpServerOptions) {
    this.address = address;
    this.#options = options;
  }

  get port(): number {
    return this.#port;
  }

  async bind(): Promise<void> {
    const server = createServer((request, response) => this.#handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new ListenError('http', this.address.text, error)));
      server.listen(this.address.port, this.address.host, () => resolve());
    });
    server.removeAllListeners('error');
    server.on('error', (error) => this.#options.log.error({ err: error }, 'http server error'));
    this.#server = server;
    this.#port = (server.address() as { port: number }).port;
    this.#options.log.info({ transport: 'http', address: this.address.host, port: this.#port,
      listener: `http://${this.address.text}` }, 'listening');
  }

  close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server === null) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, { error: 'method not allowed' });
    } else if (path === '/healthz') {
      send(response, 200, { ok: true });
    } else if (path === '/readyz') {
      const readiness = this.#options.readiness();
      send(response, readiness.ready ? 200 : 503, readiness);
    } else if (path === '/stats.json') {
      send(response, 200, this.#options.stats());
    } else if (path === '/metrics') {
      void this.#sendMetrics(response);
    } else {
      send(response, 404, { error: 'not found', paths: PATHS });
    }
  }

  async #sendMetrics(response: ServerResponse): Promise<void> {
    const { metrics, log } = this.#options;
    try {
      const text = await metrics.render();
      response.writeHead(200, { 'content-type': metrics.contentType,
        'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
      response.end(text);
    } catch (error) {
      log.error({ err: error }, 'metrics scrape failed');
      send(response, 500, { error: 'metrics unavailable' });
    }
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, { 'content-type': 'application/json',
    'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
}
