/**
 * `/metrics`: the collector's figures in Prometheus text format, through prom-client.
 *
 * The hot path never calls prom-client: receivers, the intake and the sinks only bump integer
 * fields (Stats, listener counters). Each scrape takes one Stats snapshot, the very object that
 * `/stats.json` serves, and every metric's collect() reads from it, so both endpoints always
 * tell the same numbers. Only the batch-duration histogram is fed directly, once per batch.
 *
 * Names are stable and labels low-cardinality: transports, listeners and sinks come from the
 * configuration, formats and drop reasons are fixed lists, and hosts appear only when named by
 * `--watch-host` (at most MAX_WATCHED_HOSTS).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RECORD_FORMATS, type Transport } from '../record.js';
import { DROP_REASONS, type Stats } from '../stats.js';
import type { WatchedHosts } from '../watched-hosts.js';
import type { Readiness } from './http-server.js';

/** One listener's own figures; TCP ones have connections, UDP ones socket drops. */
export interface ListenerFigures {
  transport: Transport;
  listener: string;
  messages: number;
  bytes: number;
  connections?: number;
  socketDrops?: number;
}

export interface MetricsSources {
  stats: Stats;
  listeners: () => ListenerFigures[];
  watched: WatchedHosts;
  readiness: () => Readiness;
  instance: string;
  version: string;
}

type Labels = Record<string, string>;
type Sample = [labels: Labels, value: number];

interface SampledMetric {
  name: string;
  help: string;
  labelNames?: string[];
  samples: () => Sample[];
}

const PREFIX = 'logharbor_';

/** From a 1-row SQLite commit to a 10,000-row MariaDB batch on a busy server. */
const BATCH_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  readonly #sources: MetricsSources;
  readonly #registry = new Registry();
  readonly #batches: Histogram<'sink'>;
  #snapshot: Record<string, number> = {};
  #listeners: ListenerFigures[] = [];

  constructor(sources: MetricsSources) {
    this.#sources = sources;
    collectDefaultMetrics({ register: this.#registry, prefix: PREFIX });
    this.#batches = new Histogram({ name: `${PREFIX}sink_batch_duration_seconds`,
      help: 'Time one write attempt of a batch took, by sink, whatever its outcome',
      labelNames: ['sink'], buckets: BATCH_BUCKETS, registers: [this.#registry] });
    for (const metric of this.#counters()) this.#addCounter(metric);
    for (const metric of this.#gauges()) this.#addGauge(metric);
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  /** The function a sink runner calls with each batch's duration. */
  observeBatch(sink: string): (seconds: number) => void {
    const child = this.#batches.labels(sink);
    return (seconds) => child.observe(seconds);
  }

  /** The exposition text; one Stats snapshot feeds every metric of this scrape. */
  async render(): Promise<string> {
    this.#snapshot = this.#sources.stats.snapshot();
    this.#listeners = this.#sources.listeners();
    return this.#registry.metrics();
  }

  #counters(): SampledMetric[] {
    return [
      { name: 'messages_received_total', labelNames: ['transport', 'listener'],
        help: 'Messages (frames) received, by transport and listener',
        samples: () => this.#perListener((figures) => figures.messages) },
      { name: 'received_bytes_total', labelNames: ['transport', 'listener'],
        help: 'Bytes read from listener sockets, by transport and listener',
        samples: () => this.#perListener((figures) => figures.bytes) },
      { name: 'messages_parsed_total', labelNames: ['format'],
        help: 'Messages parsed, by the format recognised',
        samples: () => this.#fromSnapshot('format', RECORD_FORMATS, 'parsed_') },
      { name: 'messages_stored_total', labelNames: ['sink'],
        help: 'Records written, by sink (sql: committed rows; archive: lines)',
        samples: () => this.#fromSnapshot('sink', ['sql', 'archive'], 'stored_') },
      { name: 'messages_dropped_total', labelNames: ['reason'],
        help: 'Messages dropped or cut, by reason (DESIGN.md section 6)',
        samples: () => this.#fromSnapshot('reason', DROP_REASONS, 'dropped_') },
      { name: 'parse_flags_total', labelNames: ['flag'],
        help: 'Messages flagged while parsing: encoding (windows-1252 fallback), truncated',
        samples: () => [[{ flag: 'encoding' }, this.#value('encoding_fallbacks')],
          [{ flag: 'truncated' }, this.#value('truncated')]] },
      { name: 'sink_retries_total', labelNames: ['sink'],
        help: 'Failed sink writes or connects that will be retried, by sink',
        samples: () => this.#fromSnapshot('sink', ['sql', 'archive'], '', '_retries') },
      { name: 'dead_letters_total', help: 'Rows the database refused, kept in dead-letter.jsonl',
        samples: () => [[{}, this.#value('dead_letters')]] },
      { name: 'udp_socket_drops_total', labelNames: ['listener'],
        help: 'Datagrams the kernel dropped on a listener socket (/proc/net/udp drops)',
        samples: () => this.#listeners.filter((figures) => figures.socketDrops !== undefined)
          .map((figures) => [{ listener: figures.listener }, figures.socketDrops ?? 0]) },
      { name: 'kernel_udp_receive_buffer_errors_total',
        help: 'Host-wide UDP datagrams dropped for a full receive buffer (RcvbufErrors)',
        samples: () => [[{}, this.#value('udp_rcvbuf_errors')]] },
      { name: 'kernel_udp_in_errors_total',
        help: 'Host-wide UDP datagrams not delivered to any socket (InErrors)',
        samples: () => [[{}, this.#value('udp_in_errors')]] },
    ];
  }

  #gauges(): SampledMetric[] {
    return [
      { name: 'queue_depth', help: 'Records held in memory between receivers and sinks',
        samples: () => [[{}, this.#value('queue_depth')]] },
      { name: 'sql_connected', help: '1 while the SQL sink is connected, else 0',
        samples: () => [[{}, this.#value('sql_connected')]] },
      { name: 'spool_bytes', help: 'Bytes of SQL rows waiting in the disk spool',
        samples: () => [[{}, this.#value('spool_bytes')]] },
      { name: 'spool_records', help: 'Rows (and retry markers) waiting in the disk spool',
        samples: () => [[{}, this.#value('spool_records')]] },
      { name: 'spool_oldest_age_seconds',
        help: 'Age of the oldest spooled row, to within one spool segment; 0 when empty',
        samples: () => [[{}, this.#value('spool_oldest_age_seconds')]] },
      { name: 'tcp_connections', labelNames: ['listener'], help: 'Open TCP connections',
        samples: () => this.#listeners.filter((figures) => figures.connections !== undefined)
          .map((figures) => [{ listener: figures.listener }, figures.connections ?? 0]) },
      { name: 'ready', help: '1 when /readyz answers 200, else 0',
        samples: () => [[{}, this.#sources.readiness().ready ? 1 : 0]] },
      { name: 'last_message_timestamp_seconds',
        help: 'Unix time of the last message received; 0 before the first',
        samples: () => [[{}, this.#sources.stats.lastReceivedAt / 1000]] },
      { name: 'watched_host_last_message_timestamp_seconds', labelNames: ['host'],
        help: 'Unix time of the last message from each --watch-host; 0 before the first',
        samples: () => this.#sources.watched.hosts.map((host) =>
          [{ host: host.name }, host.lastSeenAt / 1000]) },
      { name: 'build_info', labelNames: ['version', 'node_version', 'instance_name'],
        help: 'Always 1; the labels name the running build and --instance',
        samples: () => [[{ version: this.#sources.version, node_version: process.version,
          instance_name: this.#sources.instance }, 1]] },
    ];
  }

  #addCounter(metric: SampledMetric): void {
    new Counter({ name: `${PREFIX}${metric.name}`, help: metric.help,
      labelNames: metric.labelNames ?? [], registers: [this.#registry],
      collect(this: Counter) {
        this.reset();
        for (const [labels, value] of metric.samples()) this.inc(labels, value);
      } });
  }

  #addGauge(metric: SampledMetric): void {
    new Gauge({ name: `${PREFIX}${metric.name}`, help: metric.help,
      labelNames: metric.labelNames ?? [], registers: [this.#registry],
      collect(this: Gauge) {
        this.reset();
        for (const [labels, value] of metric.samples()) this.set(labels, value);
      } });
  }

  #perListener(read: (figures: ListenerFigures) => number): Sample[] {
    return this.#listeners.map((figures) =>
      [{ transport: figures.transport, listener: figures.listener }, read(figures)]);
  }

  /** One sample per label value, read from the snapshot key `prefix + value + suffix`. */
  #fromSnapshot(label: string, values: readonly string[], prefix: string, suffix = ''):
    Sample[] {
    return values.map((value) => [{ [label]: value }, this.#value(`${prefix}${value}${suffix}`)]);
  }

  #value(key: string): number {
    return this.#snapshot[key] ?? 0;
  }
}
