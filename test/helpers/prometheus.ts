/**
 * Reads the Prometheus text exposition of a running collector: every sample keyed by its
 * metric name and labels in sorted order, e.g. `logharbor_messages_dropped_total{reason="acl"}`,
 * and the declared type of each metric family.
 */
export interface Scrape {
  status: number;
  contentType: string | null;
  samples: Map<string, number>;
  types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export async function scrapeMetrics(port: number): Promise<Scrape> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await response.text();
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) types.set(type[1], type[2]);
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(seriesKey(match[1], labelsOf(match[2] ?? '')), Number(match[3]));
  }
  return { status: response.status, contentType: response.headers.get('content-type'),
    samples, types };
}

/** `name{a="1",b="2"}` with the labels sorted by name; just `name` without labels. */
export function seriesKey(name: string, labels: Record<string, string> = {}): string {
  const pairs = Object.keys(labels).sort().map((key) => `${key}="${labels[key]}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(LABEL)) labels[match[1]] = match[2];
  return labels;
}
