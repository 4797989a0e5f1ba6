/**
 * encodeLineGroups: the archive lines of one batch, several files' worth, encoded into one
 * buffer of their own, so that a parse thread hands them over in one move.
 */
import t from 'tap';
import { encodeLineGroups, type LineChunk } from '../../src/sinks/archive/line-chunk.js';

function view(chunks: LineChunk[]): unknown[] {
  return chunks.map(({ bytes, lines, lineEnds }) => [bytes.toString(), lines, lineEnds]);
}

t.test('every group becomes one chunk, all in one buffer that holds nothing else', async (t) => {
  const chunks = encodeLineGroups([['one\n', 'two\n'], ['café\n']]);

  t.strictSame(view(chunks), [['one\ntwo\n', 2, null], ['café\n', 1, null]]);
  t.equal(chunks[0].bytes.buffer, chunks[1].bytes.buffer);
  t.strictSame(chunks.map(({ bytes }) => bytes.byteOffset), [0, 8]);
  t.equal(chunks[0].bytes.buffer.byteLength, 14, 'the eight bytes of one file, six of the other');
});

t.test('a group with Buffer lines lists where each line ends, LFs inside lines kept',
  async (t) => {
    const chunks = encodeLineGroups([['first\n'],
      [Buffer.from('12 <13>a\nb\n'), 'plain\n', Buffer.from('c\n')]]);

    t.strictSame(view(chunks), [['first\n', 1, null],
      ['12 <13>a\nb\nplain\nc\n', 3, [11, 17, 19]]]);
    t.equal(chunks[0].bytes.buffer, chunks[1].bytes.buffer);
  });
