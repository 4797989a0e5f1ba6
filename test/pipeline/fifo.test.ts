/**
 * Fifo: the queue behind the sink stages and the parse threads' delivery order. Entries come
 * out in the order they went in, across the compaction of the array behind the head.
 */
import t from 'tap';
import { Fifo } from '../../src/pipeline/fifo.js';

function filled(count: number, compactAfter?: number): Fifo<number> {
  const queue = new Fifo<number>(compactAfter);
  for (let n = 0; n < count; n += 1) queue.push(n);
  return queue;
}

t.test('an empty queue answers undefined and nothing', async (t) => {
  const queue = new Fifo<string>();
  t.equal(queue.length, 0);
  t.equal(queue.peek(), undefined);
  t.equal(queue.shift(), undefined);
  t.same(queue.take(5), []);
  t.same(queue.takeAll(), []);
});

t.test('shift and peek give the oldest entry', async (t) => {
  const queue = filled(3);
  t.equal(queue.peek(), 0);
  t.equal(queue.length, 3);
  t.equal(queue.shift(), 0);
  t.equal(queue.peek(), 1);
  t.equal(queue.shift(), 1);
  t.equal(queue.shift(), 2);
  t.equal(queue.length, 0);
  t.equal(queue.shift(), undefined);

  queue.push(7);
  t.equal(queue.peek(), 7, 'a queue read out takes new entries');
});

t.test('take gives up to count of the oldest, in order', async (t) => {
  const queue = filled(5);
  t.same(queue.take(2), [0, 1]);
  t.same(queue.take(0), []);
  t.same(queue.take(-1), []);
  t.equal(queue.length, 3);
  t.same(queue.take(10), [2, 3, 4]);
  t.equal(queue.length, 0);
});

t.test('the order holds across compaction', async (t) => {
  const queue = filled(10, 3);
  const seen: number[] = [];
  for (let taken = 0; taken < 4; taken += 1) seen.push(queue.shift() as number);
  t.same(seen, [0, 1, 2, 3], 'shifted past the compaction point');
  t.equal(queue.length, 6);
  t.equal(queue.peek(), 4);

  queue.push(10);
  t.same(queue.take(3), [4, 5, 6]);
  t.equal(queue.length, 4);
  t.same(queue.takeAll(), [7, 8, 9, 10]);
});

t.test('unshift puts entries back in front, in their order', async (t) => {
  const queue = filled(6, 2);
  const taken = queue.take(3);
  queue.unshift(taken.slice(1));
  t.equal(queue.length, 5);
  t.equal(queue.peek(), 1);
  t.same(queue.takeAll(), [1, 2, 3, 4, 5]);
});

t.test('clear empties the queue', async (t) => {
  const queue = filled(4);
  queue.shift();
  queue.clear();
  t.equal(queue.length, 0);
  t.equal(queue.peek(), undefined);
  queue.push(9);
  t.same(queue.takeAll(), [9]);
});
