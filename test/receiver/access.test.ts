import t from 'tap';
import { createLogger, RateLimitedLog } from '../../src/log.js';
import { AccessList, parseCidr } from '../../src/receiver/access.js';
import { Stats } from '../../src/stats.js';

function accessList(cidrs: string[]): { access: AccessList; stats: Stats } {
  const stats = new Stats();
  const warnings = new RateLimitedLog(createLogger('silent'));
  return { access: new AccessList(cidrs.map(parseCidr), { stats, warnings }), stats };
}

t.test('an empty allow-list admits every sender', async (t) => {
  const { access } = accessList([]);
  t.equal(access.allows('203.0.113.9'), true);
  t.equal(access.allows('2001:db8::1'), true);
});

t.test('IPv4 networks admit their addresses only', async (t) => {
  const { access } = accessList(['10.0.0.0/8', '192.0.2.7']);
  t.strictSame(['10.255.1.2', '11.0.0.1', '192.0.2.7', '192.0.2.8'].map((ip) =>
    access.allows(ip)), [true, false, true, false]);
});

t.test('IPv6 networks admit their addresses only', async (t) => {
  const { access } = accessList(['2001:db8::/32']);
  t.strictSame(['2001:db8:ffff::1', '2001:db9::1', '10.0.0.1'].map((ip) => access.allows(ip)),
    [true, false, false]);
});

t.test('an IPv4 sender seen as mapped IPv6 matches IPv4 networks', async (t) => {
  const { access } = accessList(['127.0.0.0/8']);
  t.equal(access.allows('::ffff:127.0.0.2'), true);
  t.equal(access.allows('::ffff:10.0.0.1'), false);
});

t.test('a refused sender is counted acl once per admit', async (t) => {
  const { access, stats } = accessList(['127.0.0.1']);
  t.equal(access.admit('127.0.0.1', 'udp://test'), true);
  t.equal(access.admit('127.0.0.2', 'udp://test'), false);
  t.equal(access.admit('127.0.0.2', 'udp://test'), false);
  t.equal(stats.dropped.acl, 2);
});

t.test('a prefix longer than the address is refused', async (t) => {
  t.throws(() => parseCidr('2001:db8::/129'),
    { code: 'LH_BAD_CIDR', message: 'the prefix length must be 0-128 for an IPv6 address' });
  t.throws(() => parseCidr('10.0.0.0/8/8'), { code: 'LH_BAD_CIDR' });
  t.throws(() => parseCidr('10.0.0.0/x'), { code: 'LH_BAD_CIDR' });
});
