/**
 * The collector's lifecycle. Start: bind every listener, open the sinks, then start reading
 * (TCP connections accepted earlier wait unread; datagrams wait in the bounded queue). Stop, in
 * reverse: stop accepting, read open connections until their peers close or the grace period
 * ends, drain the queue into every sink, flush and close the sinks. Both stops are idempotent.
 */
import type { Config } from './config.js';
import { HttpServer, type Readiness } from './http/http-server.js';
import { RateLimitedLog, type Logger } from './log.js';
import { ParserChain } from './parsers/chain.js';
import { Intake } from './pipeline/intake.js';
import { Pipeline } from './pipeline/pipeline.js';
import type { RejectedRecord, Sink } from './pipeline/sink.js';
import { SinkRunner } from './pipeline/sink-runner.js';
import { TcpReceiver } from './receiver/tcp.js';
import { UdpReceiver } from './receiver/udp.js';
import { ArchiveSink } from './sinks/archive/archive-sink.js';
import { PathTemplate } from './sinks/archive/path-template.js';
import { RowMapper } from './sinks/row.js';
import { DeadLetterFile } from './sinks/sql/dead-letter-file.js';
import { SqlSink } from './sinks/sql/sql-sink.js';
import { Stats } from './stats.js';
import { ZoneClock } from './zone-clock.js';

/** How long a sink may be unable to write before `/readyz` reports the collector not ready. */
const READY_GRACE_MS = 60_000;
/** The archive writes whatever has arrived each turn of the event loop. */
const ARCHIVE_BATCH_SIZE = 10_000;
const SQL_BACKOFF = { initialMs: 250, maxMs: 30_000 };

export interface DaemonPorts {
  udp: number[];
  tcp: number[];
  http: number | null;
}

export class Daemon {
  readonly stats = new Stats();
  readonly #config: Config;
  readonly #log: Logger;
  readonly #warnings: RateLimitedLog;
  readonly #runners: SinkRunner[] = [];
  readonly #udp: UdpReceiver[];
  readonly #tcp: TcpReceiver[];
  readonly #http: HttpServer | null;
  readonly #pipeline: Pipeline;
  readonly #sqlSink: SqlSink | null;
  #started = false;
  #stopping: Promise<void> | null = null;

  constructor(config: Config, log: Logger) {
    this.#config = config;
    this.#log = log;
    this.#warnings = new RateLimitedLog(log);

    const clock = new ZoneClock(config.timezone);
    const mapper = new RowMapper({ clock, hostFrom: config.hostFrom });
    this.#sqlSink = config.db === null ? null : new SqlSink({ target: config.db.target,
      password: config.dbPassword, migrate: config.migrate, mapper, stats: this.stats, log });
    if (config.archive !== null) this.#addArchive(config.archive, clock, mapper);
    if (this.#sqlSink !== null) this.#addSql(this.#sqlSink, mapper);

    this.#pipeline = new Pipeline({ runners: this.#runners, queueSize: config.queueSize });
    const intake = new Intake({ parser: new ParserChain({ clock }), pipeline: this.#pipeline,
      stats: this.stats });
    const receiverOptions = { intake, maxMessageSize: config.maxMessageSize, log,
      warnings: this.#warnings };
    this.#udp = config.udp.map((address) => new UdpReceiver(address, receiverOptions));
    this.#tcp = config.tcp.map((address) => new TcpReceiver(address, receiverOptions));
    this.#http = config.http === null ? null : new HttpServer(config.http, { log,
      readiness: () => this.readiness(), stats: () => this.stats.snapshot() });
    this.stats.addGauges(() => this.#gauges());
  }

  get ports(): DaemonPorts {
    return { udp: this.#udp.map((receiver) => receiver.port),
      tcp: this.#tcp.map((receiver) => receiver.port), http: this.#http?.port ?? null };
  }

  async start(): Promise<void> {
    try {
      for (const receiver of [...this.#udp, ...this.#tcp]) await receiver.bind();
      await this.#http?.bind();
      await Promise.all(this.#runners.map((runner) => runner.start()));
    } catch (error) {
      await this.#closeListeners();
      await this.#http?.close();
      for (const runner of this.#runners) runner.destroy();
      await Promise.all(this.#runners.map((runner) => runner.sink.close()));
      throw error;
    }
    for (const receiver of this.#tcp) receiver.startReading();
    this.#started = true;
    this.#log.info({ instance: this.#config.instance, timezone: this.#config.timezone,
      sinks: this.#runners.map((runner) => runner.sink.name) }, 'started');
  }

  /** Graceful stop; resolves when every queued record has reached every sink. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** Abandons retries (a second signal): returns how many records each sink did not get. */
  abort(): Record<string, number> {
    const unsaved: Record<string, number> = {};
    for (const runner of this.#runners) {
      unsaved[runner.sink.name] = runner.depth;
      runner.destroy();
    }
    return unsaved;
  }

  readiness(): Readiness {
    const reasons: string[] = [];
    if (!this.#started) reasons.push('starting');
    const now = Date.now();
    for (const runner of this.#runners) {
      const health = runner.sink.health();
      const since = health.since ?? now;
      if (!health.ok && now - since >= READY_GRACE_MS) {
        const seconds = Math.round((now - since) / 1000);
        reasons.push(`${health.reason ?? runner.sink.name} for ${seconds} s`);
      }
    }
    if (this.#stopping !== null) reasons.push('stopping');
    return { ready: reasons.length === 0, reasons };
  }

  async #stop(): Promise<void> {
    this.#log.info({ queue_depth: this.#pipeline.depth }, 'stopping');
    for (const receiver of this.#tcp) receiver.stopAccepting();
    await Promise.all(this.#udp.map((receiver) => receiver.close()));
    await Promise.all(this.#tcp.map((receiver) =>
      receiver.closeConnections(this.#config.shutdownTimeoutMs)));

    await Promise.all(this.#runners.map((runner) => runner.drain()));
    await Promise.all(this.#runners.map((runner) => runner.sink.close()));
    await this.#http?.close();
    this.#log.info(this.stats.snapshot(), 'stopped');
  }

  async #closeListeners(): Promise<void> {
    for (const receiver of this.#tcp) receiver.stopAccepting();
    await Promise.all(this.#tcp.map((receiver) => receiver.closeConnections(0)));
    await Promise.all(this.#udp.map((receiver) => receiver.close()));
  }

  #addArchive(root: string, clock: ZoneClock, mapper: RowMapper): void {
    const template = new PathTemplate(this.#config.archivePath,
      { clock, instance: this.#config.instance });
    const sink = new ArchiveSink({ root, template, mapper, clock, stats: this.stats,
      log: this.#log, warnings: this.#warnings });
    this.#addRunner(sink, { batchSize: ARCHIVE_BATCH_SIZE, flushIntervalMs: 0 });
  }

  #addSql(sink: SqlSink, mapper: RowMapper): void {
    const deadLetters = new DeadLetterFile(this.#config.spool, mapper);
    this.#addRunner(sink, {
      batchSize: this.#config.batchSize,
      flushIntervalMs: this.#config.flushIntervalMs,
      onDelivered: (written, rejected) => {
        this.stats.storedSql += written;
        this.#deadLetter(deadLetters, rejected);
      },
    });
  }

  #addRunner(sink: Sink, options: { batchSize: number; flushIntervalMs: number;
    onDelivered?: (written: number, rejected: RejectedRecord[]) => void }): void {
    this.#runners.push(new SinkRunner(sink, {
      batchSize: options.batchSize,
      flushIntervalMs: options.flushIntervalMs,
      backoff: SQL_BACKOFF,
      log: this.#log,
      onDelivered: (written, rejected) => {
        options.onDelivered?.(written, rejected);
        this.#pipeline.delivered();
      },
      onRetry: (error, attempt) => {
        if (sink.name === 'sql') this.stats.sqlRetries += 1;
        this.#warnings.warn(`${sink.name}-retry`, { sink: sink.name, attempt,
          code: (error as { code?: unknown }).code, err_message: error.message },
        'sink write failed, retrying');
      },
    }));
  }

  #deadLetter(file: DeadLetterFile, rejected: RejectedRecord[]): void {
    if (rejected.length === 0) return;
    file.append(rejected);
    this.stats.deadLetters += rejected.length;
    this.#log.warn({ rows: rejected.length, path: file.path,
      code: (rejected[0].error as { code?: unknown }).code }, 'rows refused by the database');
  }

  #gauges(): Record<string, number> {
    return {
      queue_depth: this.#pipeline.depth,
      spool_bytes: 0,
      spool_records: 0,
      sql_connected: this.#sqlSink?.connected === true ? 1 : 0,
      tcp_connections: this.#tcp.reduce((sum, receiver) => sum + receiver.connectionCount, 0),
      dropped_udp_buffer: this.#udp.reduce((sum, receiver) => sum + receiver.kernelDrops(), 0),
    };
  }
}
