import t from 'tap';
import { stripTerminator, TcpFramer, type Frame } from '../../src/receiver/framing.js';

interface Run {
  /** Each frame as `[text, truncated]`, text decoded as latin1 so every byte shows. */
  frames: Array<[string, boolean]>;
  emptyFrames: number;
  partialBytes: number;
}

const MAX = 65536;

function framesOf(frames: Frame[]): Array<[string, boolean]> {
  return frames.map((frame) => [frame.bytes.toString('latin1'), frame.truncated]);
}

/** Pushes `chunks` through one framer, then ends the stream. */
function run(chunks: Buffer[], maxFrameSize = MAX): Run {
  const framer = new TcpFramer({ maxFrameSize });
  const frames = chunks.flatMap((chunk) => framer.push(chunk));
  const end = framer.end();
  return {
    frames: framesOf([...frames, ...end.frames]),
    emptyFrames: framer.emptyFrames,
    partialBytes: end.partialBytes,
  };
}

function runText(text: string, maxFrameSize = MAX): Run {
  return run([Buffer.from(text, 'latin1')], maxFrameSize);
}

t.test('octet-counting framer delivers back-to-back frames without trailers', async (t) => {
  t.strictSame(runText('5 <1>ab11 <13>1 - - x'), {
    frames: [['<1>ab', false], ['<13>1 - - x', false]],
    emptyFrames: 0,
    partialBytes: 0,
  });
});

t.test('octet-counted frame keeps an LF that is part of its count', async (t) => {
  t.strictSame(runText('4 <1>\n3 <2>').frames, [['<1>', false], ['<2>', false]]);
  t.strictSame(runText('9 <1>a\nb\nc\n').frames, [['<1>a\nb\nc', false]]);
});

t.test('octet-counted frame loses one trailing LF, CR and NUL', async (t) => {
  t.strictSame(runText('7 <1>a\r\n\n').frames, [['<1>a\r\n', false]]);
  t.strictSame(runText('7 <1>a\x00\r\n').frames, [['<1>a', false]]);
});

t.test('LF framer splits lines and drops the LF', async (t) => {
  t.strictSame(runText('<13>one\n<14>two\n'), {
    frames: [['<13>one', false], ['<14>two', false]],
    emptyFrames: 0,
    partialBytes: 0,
  });
});

t.test('LF framer drops one CR before the LF', async (t) => {
  t.strictSame(runText('<13>one\r\n<13>two\r\r\n').frames,
    [['<13>one', false], ['<13>two\r', false]]);
});

t.test('LF framer ends a line at a NUL trailer', async (t) => {
  t.strictSame(runText('<13>one\x00<13>two\x00').frames, [['<13>one', false], ['<13>two', false]]);
});

t.test('an LF right after a NUL trailer is not counted as an empty line', async (t) => {
  t.strictSame(runText('<13>one\x00\n<13>two\x00\n'), {
    frames: [['<13>one', false], ['<13>two', false]],
    emptyFrames: 0,
    partialBytes: 0,
  });
});

t.test('an empty line after an octet frame is counted even after a NUL trailer', async (t) => {
  t.strictSame(runText('<13>a\x003 <1>\n'), {
    frames: [['<13>a', false], ['<1>', false]],
    emptyFrames: 1,
    partialBytes: 0,
  });
});

t.test('empty lines are skipped and counted in emptyFrames', async (t) => {
  t.strictSame(runText('\n<13>a\n\r\n\n\x00<13>b\n'), {
    frames: [['<13>a', false], ['<13>b', false]],
    emptyFrames: 4,
    partialBytes: 0,
  });
});

t.test('framing is decided again at every frame start', async (t) => {
  t.strictSame(runText('4 <1>x<13>line\n5 <2>yz').frames,
    [['<1>x', false], ['<13>line', false], ['<2>yz', false]]);
});

t.test('digits and a space not followed by "<" start a line', async (t) => {
  t.strictSame(runText('2 cats crossed the road\n3 <1>').frames,
    [['2 cats crossed the road', false], ['<1>', false]]);
});

t.test('a length with a leading zero is not octet counting', async (t) => {
  t.strictSame(runText('05 <1>ab\n').frames, [['05 <1>ab', false]]);
  t.strictSame(runText('0 <1>\n').frames, [['0 <1>', false]]);
});

t.test('digits without a space start a line', async (t) => {
  t.strictSame(runText('12\n123abc\n').frames, [['12', false], ['123abc', false]]);
});

t.test('a length of more than nine digits is read as a line', async (t) => {
  t.strictSame(runText('1234567890 <1>x\n').frames, [['1234567890 <1>x', false]]);
});

t.test('octet counts are in bytes, not characters', async (t) => {
  const body = Buffer.from('<13>é€ü', 'utf8');
  t.equal(body.length, 11);
  const framer = new TcpFramer({ maxFrameSize: MAX });
  const frames = framer.push(Buffer.concat([Buffer.from('11 '), body, Buffer.from('3 <1>')]));
  t.strictSame(frames.map((frame) => frame.bytes.toString('utf8')), ['<13>é€ü', '<1>']);
});

t.test('octet-counting framer flags an oversized frame read whole and resumes', async (t) => {
  t.strictSame(runText('12 <13>abcdefgh5 <1>ok', 8), {
    frames: [['<13>abcd', true], ['<1>ok', false]],
    emptyFrames: 0,
    partialBytes: 0,
  });
});

t.test('an octet-counted frame exactly at the cap is kept whole', async (t) => {
  t.strictSame(runText('8 <13>abcd3 <1>', 8).frames, [['<13>abcd', false], ['<1>', false]]);
});

t.test('LF framer resumes at the next trailer after an oversized line', async (t) => {
  t.strictSame(runText('<13>abcdefgh\n<1>ok\n<13>abcdefg\x00<2>\n', 8), {
    frames: [['<13>abcd', true], ['<1>ok', false], ['<13>abcd', true], ['<2>', false]],
    emptyFrames: 0,
    partialBytes: 0,
  });
});

t.test('a line exactly at the cap is kept whole', async (t) => {
  t.strictSame(runText('<13>abcd\n<1>\n', 8).frames, [['<13>abcd', false], ['<1>', false]]);
});

t.test('a partial octet-counted frame at the end is reported, not delivered', async (t) => {
  t.strictSame(runText('3 <1>20 <13>short'), {
    frames: [['<1>', false]],
    emptyFrames: 0,
    partialBytes: 9,
  });
});

t.test('the end of the stream delivers a final line without trailer', async (t) => {
  t.strictSame(runText('<13>one\n<13>last words'), {
    frames: [['<13>one', false], ['<13>last words', false]],
    emptyFrames: 0,
    partialBytes: 0,
  });
});

t.test('the end of the stream delivers bare digits as a line', async (t) => {
  t.strictSame(runText('<13>one\n42').frames, [['<13>one', false], ['42', false]]);
});

t.test('the end of a stream with nothing pending delivers nothing', async (t) => {
  t.strictSame(runText('<13>one\n'), {
    frames: [['<13>one', false]], emptyFrames: 0, partialBytes: 0,
  });
  t.strictSame(run([]), { frames: [], emptyFrames: 0, partialBytes: 0 });
});

t.test('the framer starts afresh after end()', async (t) => {
  const framer = new TcpFramer({ maxFrameSize: MAX });
  framer.push(Buffer.from('20 <13>cut'));
  t.equal(framer.end().partialBytes, 7);
  t.strictSame(framesOf(framer.push(Buffer.from('3 <1>'))), [['<1>', false]]);
  t.strictSame(framer.end(), { frames: [], partialBytes: 0 });
});

/**
 * Every framing path in one stream: octet counting with an LF and multi-byte text inside,
 * lines with LF, CR LF and NUL trailers, `msg NUL LF`, empty lines, a text line starting with
 * digits, a leading-zero length, an oversized octet frame and an oversized line (cap 24), and a
 * final line without trailer.
 */
const MIXED = Buffer.concat([
  Buffer.from('11 <13>é€ü'),
  Buffer.from('9 <1>a\nb\nc\n'),
  Buffer.from('<14>lf line\n'),
  Buffer.from('<15>crlf line\r\n'),
  Buffer.from('\n\r\n'),
  Buffer.from('<16>nul line\x00\n'),
  Buffer.from('2 cats crossed the road\n'),
  Buffer.from('05 <1>zero\n'),
  Buffer.from('36 <13>this octet frame is far too long'),
  Buffer.from('<13>this line is also far too long\r\n'),
  Buffer.from('4 <2>x'),
  Buffer.from('<17>tail'),
]);

const MIXED_CAP = 24;

const MIXED_EXPECTED: Run = {
  frames: [
    [Buffer.from('<13>é€ü').toString('latin1'), false],
    ['<1>a\nb\nc', false],
    ['<14>lf line', false],
    ['<15>crlf line', false],
    ['<16>nul line', false],
    ['2 cats crossed the road', false],
    ['05 <1>zero', false],
    ['<13>this octet frame is ', true],
    ['<13>this line is also fa', true],
    ['<2>x', false],
    ['<17>tail', false],
  ],
  emptyFrames: 2,
  partialBytes: 0,
};

t.test('a mixed stream read in one chunk gives the expected frames', async (t) => {
  t.strictSame(run([MIXED], MIXED_CAP), MIXED_EXPECTED);
});

t.test('a mixed stream cut at any byte gives the same frames', async (t) => {
  for (let cut = 1; cut < MIXED.length; cut += 1) {
    const chunks = [MIXED.subarray(0, cut), MIXED.subarray(cut)];
    t.strictSame(run(chunks, MIXED_CAP), MIXED_EXPECTED, `cut at byte ${cut}`);
  }
});

t.test('a mixed stream cut at any two bytes gives the same frames', async (t) => {
  const mismatches: string[] = [];
  for (let first = 1; first < MIXED.length; first += 1) {
    for (let second = first + 1; second < MIXED.length; second += 1) {
      const chunks = [MIXED.subarray(0, first), MIXED.subarray(first, second),
        MIXED.subarray(second)];
      const outcome = run(chunks, MIXED_CAP);
      if (JSON.stringify(outcome) !== JSON.stringify(MIXED_EXPECTED)) {
        mismatches.push(`${first},${second}`);
      }
    }
  }
  t.strictSame(mismatches, []);
});

t.test('a mixed stream fed one byte at a time gives the same frames', async (t) => {
  const chunks = Array.from(MIXED, (byte) => Buffer.from([byte]));
  t.strictSame(run(chunks, MIXED_CAP), MIXED_EXPECTED);
});

t.test('a partial frame cut at any byte reports the same partial size', async (t) => {
  const stream = Buffer.from('3 <1>20 <13>short');
  for (let cut = 1; cut < stream.length; cut += 1) {
    const chunks = [stream.subarray(0, cut), stream.subarray(cut)];
    t.strictSame(run(chunks), { frames: [['<1>', false]], emptyFrames: 0, partialBytes: 9 },
      `cut at byte ${cut}`);
  }
});

t.test('stripTerminator removes one LF, then one CR, then one NUL', async (t) => {
  const strip = (text: string): string =>
    stripTerminator(Buffer.from(text, 'latin1')).toString('latin1');
  t.equal(strip('msg\n'), 'msg');
  t.equal(strip('msg\r\n'), 'msg');
  t.equal(strip('msg\x00'), 'msg');
  t.equal(strip('msg\x00\r\n'), 'msg');
  t.equal(strip('msg\x00\n'), 'msg');
  t.equal(strip('msg\n\n'), 'msg\n');
  t.equal(strip('msg\r'), 'msg');
  t.equal(strip('msg\n\r'), 'msg\n');
  t.equal(strip('\n'), '');
  t.equal(strip(''), '');
});

t.test('stripTerminator returns the same buffer when there is nothing to strip', async (t) => {
  const bytes = Buffer.from('msg');
  t.equal(stripTerminator(bytes), bytes);
});
