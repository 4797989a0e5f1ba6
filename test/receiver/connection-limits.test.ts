import t from 'tap';
import { ConnectionLimits } from '../../src/receiver/connection-limits.js';

t.test('the per-sender cap refuses one sender and admits another', async (t) => {
  const limits = new ConnectionLimits({ maxConnections: 10, maxPerSender: 2 });
  t.strictSame(['a', 'a', 'a', 'b'].map((sender) => limits.admit(sender)),
    [null, null, 'max_connections_per_sender', null]);
  t.equal(limits.open, 3);
  t.equal(limits.refused, 1);
});

t.test('the total cap counts every sender', async (t) => {
  const limits = new ConnectionLimits({ maxConnections: 2, maxPerSender: 2 });
  t.strictSame(['a', 'b', 'c'].map((sender) => limits.admit(sender)),
    [null, null, 'max_connections']);
});

t.test('a released slot can be taken again', async (t) => {
  const limits = new ConnectionLimits({ maxConnections: 1, maxPerSender: 1 });
  limits.admit('a');
  limits.release('a');
  t.equal(limits.admit('a'), null);
  t.equal(limits.open, 1);
});
