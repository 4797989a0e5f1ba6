/**
 * contrib/zabbix/logharbor-template.yaml against a live collector: the export is well formed
 * for Zabbix 6.0, every dependent item's JSONPath finds a value in the real `/stats.json` (or
 * `/readyz`), the discovery script finds the watched hosts, and every trigger names items
 * that exist in the template.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { fetchJson, sendUdp, startCollector, waitFor } from '../helpers/collector.js';

const TEMPLATE_PATH = new URL('../../contrib/zabbix/logharbor-template.yaml', import.meta.url);

interface Preprocessing { type: string; parameters: string[] }
interface Trigger { uuid: string; expression: string; name: string }
interface Item {
  uuid: string;
  name: string;
  key: string;
  type?: string;
  url?: string;
  status_codes?: string;
  master_item?: { key: string };
  preprocessing?: Preprocessing[];
  triggers?: Trigger[];
  trigger_prototypes?: Trigger[];
}
interface DiscoveryRule extends Item { item_prototypes: Item[] }
interface Template {
  uuid: string;
  template: string;
  items: Item[];
  discovery_rules: DiscoveryRule[];
  macros: Array<{ macro: string; value: string }>;
}

const template = (parse(readFileSync(TEMPLATE_PATH, 'utf8')) as {
  zabbix_export: { version: string; templates: Template[] } }).zabbix_export;
const logharbor = template.templates[0];
const rule = logharbor.discovery_rules[0];
const items = new Map(logharbor.items.map((item) => [item.key, item]));

/**
 * The JSONPath forms the template uses, `$.key` and `$['key']`, resolved in `document`;
 * anything else fails the test rather than being guessed at.
 */
function jsonPath(document: Record<string, unknown>, path: string): unknown {
  const match = /^\$(?:\.([a-z_][a-z0-9_]*)|\['([^']+)'\])$/.exec(path);
  if (match === null) throw new Error(`JSONPath form not supported by this test: ${path}`);
  return document[match[1] ?? match[2]];
}

/** Every `/host/key` an expression reads, e.g. `proc.num[node,,,logharbor]`. */
function itemReferences(expression: string): Array<{ host: string; key: string }> {
  return [...expression.matchAll(/\/([^/]+)\/([A-Za-z0-9_.]+(?:\[[^\]]*\])?)/g)]
    .map((match) => ({ host: match[1], key: match[2] }));
}

function everyUuid(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(everyUuid);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === 'uuid' ? [String(value)] : everyUuid(value));
}

function macrosIn(text: string): string[] {
  return [...text.matchAll(/\{\$([A-Z0-9_.]+)(?::"[^"]*")?\}/g)].map((match) => `{$${match[1]}}`);
}

/** The value of `path` for an item, from the body its master item fetches. */
function masterBody(item: Item, bodies: Record<string, Record<string, unknown>>):
  Record<string, unknown> {
  const master = items.get(item.master_item?.key ?? '');
  const body = bodies[master?.url ?? ''];
  if (body === undefined) throw new Error(`${item.key}: no HTTP agent master item`);
  return body;
}

t.test('the export is a Zabbix 6.0 template with well-formed, unique uuids', async (t) => {
  t.equal(template.version, '6.0');
  t.equal(logharbor.template, 'logharbor');
  const uuids = everyUuid(template);
  t.ok(uuids.length > 40, `${uuids.length} uuids`);
  t.strictSame(uuids.filter((uuid) => !/^[0-9a-f]{32}$/.test(uuid)), []);
  t.equal(new Set(uuids).size, uuids.length, 'no uuid twice');
  t.equal(items.size, logharbor.items.length, 'no item key twice');
});

t.test('the master items poll stats.json and readyz, the agent items watch port and process',
  async (t) => {
    const http = logharbor.items.filter((item) => item.type === 'HTTP_AGENT');
    t.strictSame(http.map((item) => [item.key, item.url, item.status_codes]), [
      ['logharbor.stats', 'http://{HOST.CONN}:{$LOGHARBOR.HTTP.PORT}/stats.json', undefined],
      ['logharbor.readyz', 'http://{HOST.CONN}:{$LOGHARBOR.HTTP.PORT}/readyz', '200,503'],
    ]);
    const agent = logharbor.items.filter((item) => item.type === undefined);
    t.strictSame(agent.map((item) => item.key),
      ['net.udp.listen[514]', 'net.tcp.listen[514]', 'proc.num[node,,,logharbor]']);
  });

t.test('every macro the template uses is defined in it', async (t) => {
  const text = readFileSync(TEMPLATE_PATH, 'utf8').replace(/^\s*#.*$/gm, '');
  const defined = new Set(logharbor.macros.map((macro) => macro.macro));
  t.strictSame([...new Set(macrosIn(text))].filter((macro) => !defined.has(macro)), []);
});

t.test('every trigger reads items of this template, and the required ones exist', async (t) => {
  const prototypes = new Set(rule.item_prototypes.map((item) => item.key));
  const triggers = logharbor.items.flatMap((item) => item.triggers ?? []);
  const triggerPrototypes = rule.item_prototypes.flatMap((item) => item.trigger_prototypes ?? []);
  for (const trigger of [...triggers, ...triggerPrototypes]) {
    const references = itemReferences(trigger.expression);
    t.ok(references.length > 0, `${trigger.name} reads an item`);
    for (const { host, key } of references) {
      t.equal(host, 'logharbor', `${trigger.name}: template name`);
      t.ok(items.has(key) || prototypes.has(key), `${trigger.name}: item ${key} exists`);
    }
  }
  const read = (list: Trigger[]): string[] =>
    list.flatMap((trigger) => itemReferences(trigger.expression).map((ref) => ref.key));
  const keys = new Set(read(triggers));
  for (const key of ['logharbor.last_message_age', 'logharbor.dropped.new',
    'logharbor.sql_connected', 'logharbor.spool_bytes.change', 'logharbor.ready',
    'net.udp.listen[514]', 'net.tcp.listen[514]', 'proc.num[node,,,logharbor]']) {
    t.ok(keys.has(key), `a trigger watches ${key}`);
  }
  t.strictSame(read(triggerPrototypes), ['logharbor.watched.age[{#WATCHED.KEY}]'],
    'a watched host silent');
  t.match(triggers.find((trigger) => trigger.expression.includes('last_message_age'))
    ?.expression, /\{\$LOGHARBOR\.NODATA\.SECONDS\}$/);
  t.equal(logharbor.macros.find((macro) => macro.macro === '{$LOGHARBOR.NODATA.SECONDS}')
    ?.value, '600', 'no messages for 10 minutes');
});

t.test('every JSONPath of the template finds a value in a live collector', async (t) => {
  const collector = await startCollector({ args: ['--watch-host', 'WIN2008',
    '--watch-host', 'core-sw1'] });
  t.teardown(collector.cleanup);
  await sendUdp(collector.udpPort, ['<14>Dec  3 19:30:00 WIN2008 app: hello']);
  await waitFor(async () => (await fetchJson(collector.httpPort, '/stats.json'))
    .body.stored_sql === 1);

  const stats = (await fetchJson(collector.httpPort, '/stats.json')).body;
  const readyz = (await fetchJson(collector.httpPort, '/readyz')).body;
  const bodies = { 'http://{HOST.CONN}:{$LOGHARBOR.HTTP.PORT}/stats.json': stats,
    'http://{HOST.CONN}:{$LOGHARBOR.HTTP.PORT}/readyz': readyz };

  const dependent = logharbor.items.filter((item) => item.type === 'DEPENDENT');
  t.ok(dependent.length >= 30, `${dependent.length} dependent items`);
  for (const item of dependent) {
    const [first] = item.preprocessing ?? [];
    t.equal(first?.type, 'JSONPATH', `${item.key} starts with JSONPath`);
    const value = jsonPath(masterBody(item, bodies), first.parameters[0]);
    const expected = item.key === 'logharbor.ready' ? 'boolean'
      : item.key === 'logharbor.ready.reasons' ? 'object' : 'number';
    t.type(value, expected, `${item.key}: ${first.parameters[0]} = ${JSON.stringify(value)}`);
  }

  const [script] = rule.preprocessing ?? [];
  t.equal(script.type, 'JAVASCRIPT');
  // Zabbix runs the step as the body of function (value) { ... }.
  const discover = new Function('value', script.parameters[0]) as (value: string) => string;
  const discovered = JSON.parse(discover(JSON.stringify(stats))) as Array<Record<string, string>>;
  t.strictSame(discovered, [{ '{#WATCHED.KEY}': 'win2008' }, { '{#WATCHED.KEY}': 'core_sw1' }]);

  const [prototype] = rule.item_prototypes;
  const path = prototype.preprocessing?.[0].parameters[0] ?? '';
  const ages = discovered.map((row) =>
    jsonPath(masterBody(prototype, bodies), path.replace('{#WATCHED.KEY}', row['{#WATCHED.KEY}'])));
  t.strictSame(ages.map((age) => typeof age), ['number', 'number']);
  t.ok((ages[0] as number) <= (ages[1] as number), 'WIN2008 spoke, core-sw1 did not');
  t.equal(await collector.stop(), 0);
});
