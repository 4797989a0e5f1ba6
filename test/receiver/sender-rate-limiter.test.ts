import t from 'tap';
import { SenderRateLimiter } from '../../src/receiver/sender-rate-limiter.js';

t.test('a datagram sender gets its burst, then one message per refill interval', async (t) => {
  const limiter = new SenderRateLimiter({ rate: 10, burst: 3 });
  const at0 = [1, 2, 3, 4].map(() => limiter.admitDatagram('a', 0));
  t.strictSame(at0, [true, true, true, false]);
  t.equal(limiter.admitDatagram('a', 99), false, '0.99 token after 99 ms');
  t.equal(limiter.admitDatagram('a', 100), true, 'one token after 100 ms');
  t.equal(limiter.admitDatagram('a', 100), false);
});

t.test('a quiet sender refills up to the burst, never beyond', async (t) => {
  const limiter = new SenderRateLimiter({ rate: 10, burst: 3 });
  limiter.admitDatagram('a', 0);
  const after = [1, 2, 3, 4].map(() => limiter.admitDatagram('a', 60_000));
  t.strictSame(after, [true, true, true, false]);
});

t.test('each sender has a bucket of its own', async (t) => {
  const limiter = new SenderRateLimiter({ rate: 1, burst: 1 });
  t.strictSame([limiter.admitDatagram('a', 0), limiter.admitDatagram('a', 0),
    limiter.admitDatagram('b', 0)], [true, false, true]);
});

t.test('a stream in debt pauses for exactly the refill time', async (t) => {
  const limiter = new SenderRateLimiter({ rate: 100, burst: 50 });
  t.equal(limiter.spendStream('a', 50, 0), 0, 'the burst costs no pause');
  t.equal(limiter.spendStream('a', 30, 0), 300, '30 tokens of debt at 100/s');
  t.equal(limiter.spendStream('a', 0, 300), 0, 'repaid after 300 ms');
  t.equal(limiter.streamPauses, 1);
});

t.test('the table forgets the least recently seen sender when full', async (t) => {
  const limiter = new SenderRateLimiter({ rate: 1, burst: 1, maxSenders: 2 });
  limiter.admitDatagram('a', 0);
  limiter.admitDatagram('b', 0);
  limiter.admitDatagram('a', 0);
  limiter.admitDatagram('c', 0);
  t.equal(limiter.senders, 2);
  t.equal(limiter.admitDatagram('a', 0), false, 'a was seen last: still empty');
  t.equal(limiter.admitDatagram('b', 0), true, 'b was forgotten: a full bucket again');
});
