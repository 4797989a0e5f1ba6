/**
 * The collector's lifecycle. Start: bind every listener, drop privileges (`--user`), open the
 * sinks, then start reading (TCP connections accepted earlier wait unread; datagrams wait in
 * the bounded queue). SIGHUP re-reads the TLS certificates. Stop, in
 * reverse: stop accepting, read open connections until their peers close or the grace period
 * ends, drain the queue into every sink, flush and close the sinks. Both stops are idempotent.
 */
import type { Config } from './config.js';
import { HttpServer, type Readiness } from './http/http-server.js';
import { Metrics, type ListenerFigures } from './http/metrics.js';
import { RateLimitedLog, type Logger } from './log.js';
import { Intake } from './pipeline/intake.js';
import { ParseThreads } from './pipeline/parse-threads.js';
import { InlineParsing, type Parsing } from './pipeline/parsing.js';
import { Pipeline } from './pipeline/pipeline.js';
import type { PreparerSettings } from './pipeline/preparer.js';
import { dropPrivileges } from './privileges.js';
import type { Sink } from './pipeline/sink.js';
import { SinkRunner } from './pipeline/sink-runner.js';
import type { Stage } from './pipeline/stage.js';
import { readKernelUdpErrors } from './receiver/kernel-udp.js';
import { AccessList } from './receiver/access.js';
import { ConnectionLimits } from './receiver/connection-limits.js';
import { SenderRateLimiter } from './receiver/sender-rate-limiter.js';
import { TcpReceiver } from './receiver/tcp.js';
import { UdpReceiver } from './receiver/udp.js';
import { ArchiveLayout } from './sinks/archive/archive-layout.js';
import { ArchiveSink } from './sinks/archive/archive-sink.js';
import { DeadLetterFile } from './sinks/sql/dead-letter-file.js';
import { Spool } from './sinks/sql/spool.js';
import { SqlRunner } from './sinks/sql/sql-runner.js';
import { SqlSink } from './sinks/sql/sql-sink.js';
import { Stats } from './stats.js';
import { packageVersion } from './version.js';
import { WatchedHosts } from './watched-hosts.js';
import { ZoneClock } from './zone-clock.js';

/**
 * The archive writes at once whenever this many records wait (enough lines per file to keep
 * writes large, few enough that the records die young), and otherwise what has gathered
 * after ARCHIVE_FLUSH_MS: datagrams trickle in a few per turn of the event loop, and writing
 * each turn's handful cost one write call per file for a line or two (a fifth of the CPU at
 * 20,000 datagrams a second). A line reaches its file at most this much later.
 */
const ARCHIVE_BATCH_SIZE = 2000;
const ARCHIVE_FLUSH_MS = 50;
const BACKOFF = { initialMs: 250, maxMs: 30_000 };
/** A stop writes memory to a reachable database for at least this long before spooling it. */
const MIN_DRAIN_MS = 5000;

export interface DaemonPorts {
  udp: number[];
  tcp: number[];
  tls: number[];
  http: number | null;
}

export class Daemon {
  readonly stats = new Stats();
  readonly #config: Config;
  readonly #log: Logger;
  readonly #warnings: RateLimitedLog;
  readonly #stages: Stage[] = [];
  readonly #udp: UdpReceiver[];
  readonly #tcp: TcpReceiver[];
  readonly #tls: TcpReceiver[];
  readonly #connectionLimits: ConnectionLimits;
  readonly #rateLimiter: SenderRateLimiter | null;
  readonly #http: HttpServer | null;
  readonly #pipeline: Pipeline;
  readonly #parsing: Parsing;
  readonly #intake: Intake;
  readonly #watched: WatchedHosts;
  readonly #metrics: Metrics;
  #sqlRunner: SqlRunner | null = null;
  #started = false;
  #stopping: Promise<void> | null = null;

  constructor(config: Config, log: Logger) {
    this.#config = config;
    this.#log = log;
    this.#warnings = new RateLimitedLog(log);
    this.#pipeline = new Pipeline(this.#stages);

    this.#watched = new WatchedHosts({ names: config.watchHosts });
    this.#metrics = new Metrics({ stats: this.stats, watched: this.#watched,
      listeners: () => this.#listenerFigures(), readiness: () => this.readiness(),
      instance: config.instance, version: packageVersion() });
    if (config.archive !== null) this.#addArchive(config.archive);
    if (config.db !== null) this.#addSql();

    this.#parsing = createParsing(config);
    const intake = new Intake({ parsing: this.#parsing, pipeline: this.#pipeline,
      stats: this.stats, watched: this.#watched });
    this.#intake = intake;
    this.#connectionLimits = new ConnectionLimits({ maxConnections: config.maxConnections,
      maxPerSender: config.maxConnectionsPerSender });
    this.#rateLimiter = config.rateLimit === 0 ? null
      : new SenderRateLimiter({ rate: config.rateLimit, burst: config.rateBurst });
    const receiverOptions = { intake, maxMessageSize: config.maxMessageSize, log,
      warnings: this.#warnings, rateLimiter: this.#rateLimiter,
      access: new AccessList(config.allow, { stats: this.stats, warnings: this.#warnings }),
      limits: this.#connectionLimits, idleTimeoutMs: config.idleTimeoutMs };
    this.#udp = config.udp.map((address) => new UdpReceiver(address, receiverOptions));
    this.#tcp = config.tcp.map((address) => new TcpReceiver(address, receiverOptions));
    this.#tls = config.tls.map((address) => new TcpReceiver(address, { ...receiverOptions,
      tls: { certFile: config.tlsCert ?? '', keyFile: config.tlsKey ?? '', caFile: config.tlsCa,
        clientAuth: config.tlsClientAuth, peers: config.tlsPeers } }));
    this.#http = config.http === null ? null : new HttpServer(config.http, { log,
      readiness: () => this.readiness(), stats: () => this.stats.snapshot(),
      metrics: this.#metrics });
    this.stats.addGauges(() => this.#gauges());
  }

  get ports(): DaemonPorts {
    return { udp: this.#udp.map((receiver) => receiver.port),
      tcp: this.#tcp.map((receiver) => receiver.port),
      tls: this.#tls.map((receiver) => receiver.port), http: this.#http?.port ?? null };
  }

  /** TCP and TLS listeners: both are stream receivers. */
  get #streams(): TcpReceiver[] {
    return [...this.#tcp, ...this.#tls];
  }

  async start(): Promise<void> {
    try {
      for (const receiver of [...this.#udp, ...this.#streams]) await receiver.bind();
      await this.#http?.bind();
      this.#dropPrivileges();
      await this.#parsing.start();
      await Promise.all(this.#stages.map((stage) => stage.start()));
    } catch (error) {
      await this.#closeListeners();
      await this.#http?.close();
      await this.#parsing.close();
      for (const stage of this.#stages) stage.destroy();
      await Promise.all(this.#stages.map((stage) => stage.close()));
      throw error;
    }
    for (const receiver of this.#streams) receiver.startReading();
    if (this.#tls.length > 0) process.on('SIGHUP', this.#reloadTls);
    this.#started = true;
    this.#log.info({ instance: this.#config.instance, timezone: this.#config.timezone,
      sinks: this.#stages.map((stage) => stage.name) }, 'started');
  }

  /** Graceful stop; resolves when every queued record has reached every sink or the spool. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /** Abandons retries (a second signal): returns how many records each sink did not get. */
  abort(): Record<string, number> {
    const unsaved: Record<string, number> = {};
    for (const stage of this.#stages) unsaved[stage.name] = stage.destroy();
    return unsaved;
  }

  readiness(): Readiness {
    const reasons: string[] = [];
    // Sinks not writing for less than the grace period: still ready, but said (issue #4).
    const degraded: string[] = [];
    if (!this.#started) reasons.push('starting');
    const now = Date.now();
    for (const stage of this.#stages) {
      const health = stage.health();
      if (health.ok) continue;
      const since = health.since ?? now;
      const seconds = Math.round((now - since) / 1000);
      const text = `${health.reason ?? stage.name} for ${seconds} s`;
      (now - since >= this.#config.readyGraceMs ? reasons : degraded).push(text);
    }
    if (this.#stopping !== null) reasons.push('stopping');
    return { ready: reasons.length === 0, reasons, degraded };
  }

  async #stop(): Promise<void> {
    this.#log.info({ queue_depth: this.#pipeline.depth }, 'stopping');
    process.off('SIGHUP', this.#reloadTls);
    for (const receiver of this.#streams) receiver.stopAccepting();
    await Promise.all(this.#udp.map((receiver) => receiver.close()));
    await Promise.all(this.#streams.map((receiver) =>
      receiver.closeConnections(this.#config.shutdownTimeoutMs)));
    await this.#intake.settled();

    await Promise.all(this.#stages.map((stage) => stage.drain()));
    await Promise.all(this.#stages.map((stage) => stage.close()));
    await this.#parsing.close();
    await this.#http?.close();
    this.#log.info(this.stats.snapshot(), 'stopped');
  }

  async #closeListeners(): Promise<void> {
    for (const receiver of this.#streams) receiver.stopAccepting();
    await Promise.all(this.#streams.map((receiver) => receiver.closeConnections(0)));
    await Promise.all(this.#udp.map((receiver) => receiver.close()));
  }

  /** After binding (ports below 1024 need root), before any sink creates a file. */
  #dropPrivileges(): void {
    const { user, group } = this.#config;
    if (user === null && group === null) return;
    const ids = dropPrivileges({ user, group });
    this.#log.info({ user, group, uid: ids.uid, gid: ids.gid }, 'privileges dropped');
  }

  readonly #reloadTls = (): void => {
    for (const receiver of this.#tls) receiver.tls?.reload();
  };

  #addArchive(root: string): void {
    const config = this.#config;
    const sink = new ArchiveSink({
      root, clock: new ZoneClock(config.timezone), stats: this.stats, log: this.#log,
      warnings: this.#warnings,
      layout: new ArchiveLayout(config.archivePath, { instance: config.instance }),
      maxOpenFiles: config.archiveMaxOpen,
      fileMode: config.archiveMode,
      rotateSizeBytes: config.rotateSizeBytes,
      fsync: config.archiveFsync,
      compress: config.compress,
      retainDays: config.retainDays,
      // logrotate's `postrotate kill -HUP`: every archive file is opened again by name.
      onReopenRequest: (reopen) => {
        process.on('SIGHUP', reopen);
        return () => process.off('SIGHUP', reopen);
      },
    });
    this.#addRunner(sink, { batchSize: ARCHIVE_BATCH_SIZE, flushIntervalMs: ARCHIVE_FLUSH_MS });
  }

  #addSql(): void {
    const config = this.#config;
    const target = config.db?.target;
    if (target === undefined) return;
    const sink = new SqlSink({ target, password: config.dbPassword, migrate: config.migrate,
      instance: config.instance, log: this.#log });
    this.#sqlRunner = new SqlRunner({
      sink,
      spool: new Spool({ directory: config.spool, maxBytes: config.spoolMaxBytes }),
      deadLetters: new DeadLetterFile(config.spool),
      stats: this.stats,
      log: this.#log,
      warnings: this.#warnings,
      batchSize: config.batchSize,
      flushIntervalMs: config.flushIntervalMs,
      queueSize: config.queueSize,
      backoff: BACKOFF,
      drainTimeoutMs: Math.max(MIN_DRAIN_MS, config.shutdownTimeoutMs),
      onProgress: () => this.#pipeline.delivered(),
      observeBatch: this.#metrics.observeBatch('sql'),
    });
    this.#stages.push(this.#sqlRunner);
  }

  #addRunner(sink: Sink, options: { batchSize: number; flushIntervalMs: number }): void {
    this.#stages.push(new SinkRunner(sink, {
      batchSize: options.batchSize,
      flushIntervalMs: options.flushIntervalMs,
      queueSize: this.#config.queueSize,
      backoff: BACKOFF,
      log: this.#log,
      onDelivered: () => this.#pipeline.delivered(),
      observeBatch: this.#metrics.observeBatch(sink.name),
      onRetry: (error, attempt) => {
        this.stats.archiveRetries += 1;
        this.#warnings.warn(`${sink.name}-retry`, { sink: sink.name, attempt,
          code: (error as { code?: unknown }).code, err_message: error.message },
        'sink write failed, retrying');
      },
    }));
  }

  #gauges(): Record<string, number> {
    const kernel = readKernelUdpErrors();
    const receivers = [...this.#udp, ...this.#tcp];
    return {
      queue_depth: this.#pipeline.depth,
      ...(this.#sqlRunner?.gauges() ?? { spool_bytes: 0, spool_records: 0,
        spool_oldest_age_seconds: 0, sql_connected: 0 }),
      tcp_connections: this.#tcp.reduce((sum, receiver) => sum + receiver.connectionCount, 0),
      ...this.#securityGauges(),
      dropped_udp_buffer: this.#udp.reduce((sum, receiver) => sum + receiver.kernelDrops(), 0),
      received_bytes: receivers.reduce((sum, receiver) => sum + receiver.counters.bytes, 0),
      udp_rcvbuf_errors: kernel.receiveBufferErrors,
      udp_in_errors: kernel.inErrors,
      ...this.#watched.ages(Date.now(), this.stats.startedAt),
    };
  }

  #listenerFigures(): ListenerFigures[] {
    return [
      ...this.#udp.map((receiver) => ({ transport: 'udp' as const, listener: receiver.listener,
        ...receiver.counters, socketDrops: receiver.kernelDrops() })),
      ...this.#tcp.map((receiver) => ({ transport: 'tcp' as const, listener: receiver.listener,
        ...receiver.counters, connections: receiver.connectionCount })),
      ...this.#tls.map((receiver) => ({ transport: 'tls' as const, listener: receiver.listener,
        ...receiver.counters, connections: receiver.connectionCount })),
    ];
  }

  /** Counters of the limits that close connections rather than drop messages. */
  #securityGauges(): Record<string, number> {
    const sum = (receivers: TcpReceiver[], count: (receiver: TcpReceiver) => number): number =>
      receivers.reduce((total, receiver) => total + count(receiver), 0);
    return {
      tls_connections: sum(this.#tls, (receiver) => receiver.connectionCount),
      connections_open: this.#connectionLimits.open,
      connections_refused_limit: this.#connectionLimits.refused,
      connections_closed_idle: sum(this.#streams, (receiver) => receiver.idleClosed),
      tls_handshake_failures: sum(this.#tls, (receiver) => receiver.tls?.handshakeFailures ?? 0),
      tls_peer_refused: sum(this.#tls, (receiver) => receiver.tls?.peerRefusals ?? 0),
      rate_limit_pauses: this.#rateLimiter?.streamPauses ?? 0,
      rate_limit_senders: this.#rateLimiter?.senders ?? 0,
    };
  }
}

/** Parse threads as `--parse-threads` says, or parsing on the main thread for 0. */
function createParsing(config: Config): Parsing {
  const settings: PreparerSettings = {
    timezone: config.timezone, hostFrom: config.hostFrom, instance: config.instance,
    archive: config.archive === null ? null
      : { pathTemplate: config.archivePath, format: config.archiveFormat },
    sql: config.db !== null, watchHosts: config.watchHosts, maxMessageSize: config.maxMessageSize,
  };
  if (config.parseThreads === 0) return new InlineParsing(settings);
  return new ParseThreads(settings, { threads: config.parseThreads,
    // A thread that throws is a parser bug: the same outcome as one thrown on this thread.
    onFailure: (error) => setImmediate(() => {
      throw error;
    }) });
}
