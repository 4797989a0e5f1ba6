import t from 'tap';
import { decodeText, windows1252Char } from '../../src/parsers/text.js';

/**
 * windows-1252 bytes 0x80–0x9F as the WHATWG encoding index lists them (index-windows-1252),
 * written out here rather than taken from TextDecoder, which decodes them as C1 controls on
 * Node 20. The five unassigned bytes map to the C1 code point of the same value.
 */
const WHATWG_0X80_0X9F = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
  0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];

function decode(...bytes: number[]): { text: string; fallback: boolean } {
  return decodeText(Buffer.from(bytes));
}

function ascii(text: string): number[] {
  return Array.from(Buffer.from(text, 'latin1'));
}

t.test('valid UTF-8 is decoded unchanged and not flagged', async (t) => {
  const text = 'héllo € 😀 日本 ÿ';
  t.strictSame(decodeText(Buffer.from(text, 'utf8')), { text, fallback: false });
});

t.test('an empty frame decodes to empty text', async (t) => {
  t.strictSame(decodeText(Buffer.alloc(0)), { text: '', fallback: false });
});

t.test('windows-1252 0x80 is the euro sign', async (t) => {
  t.strictSame(decode(...ascii('price '), 0x80, ...ascii('5')),
    { text: 'price €5', fallback: true });
});

t.test('windows-1252 0x92 is a right single quotation mark', async (t) => {
  t.strictSame(decode(...ascii('l'), 0x92, ...ascii('utilisateur')),
    { text: 'l’utilisateur', fallback: true });
});

t.test('windows-1252 0x9C is the oe ligature', async (t) => {
  t.strictSame(decode(...ascii('c'), 0x9c, ...ascii('ur')), { text: 'cœur', fallback: true });
});

t.test('the unassigned windows-1252 byte 0x81 becomes U+0081', async (t) => {
  t.strictSame(decode(0x81), { text: '\u0081', fallback: true });
});

t.test('every byte 0x80-0x9F decodes as the WHATWG windows-1252 index says', async (t) => {
  for (let byte = 0x80; byte <= 0x9f; byte += 1) {
    const expected = String.fromCharCode(WHATWG_0X80_0X9F[byte - 0x80]);
    t.strictSame(decode(0x41, byte, 0x42), { text: `A${expected}B`, fallback: true },
      `byte 0x${byte.toString(16)}`);
  }
});

t.test('a Latin-1 byte such as 0xE9 decodes as its own code point', async (t) => {
  t.strictSame(decode(...ascii('caf'), 0xe9), { text: 'café', fallback: true });
});

t.test('windows1252Char maps ASCII and 0xA0-0xFF to the same code point', async (t) => {
  t.equal(windows1252Char(0x41), 'A');
  t.equal(windows1252Char(0x00), '\u0000');
  t.equal(windows1252Char(0xa0), '\u00a0');
  t.equal(windows1252Char(0xe9), 'é');
  t.equal(windows1252Char(0xff), 'ÿ');
});

t.test('valid UTF-8 around invalid bytes is kept', async (t) => {
  const bytes = [...Buffer.from('é '), 0xe9, ...Buffer.from(' € '), 0x80, ...Buffer.from(' 😀')];
  t.strictSame(decode(...bytes), { text: 'é é € € 😀', fallback: true });
});

t.test('an overlong two-byte sequence decodes byte by byte', async (t) => {
  t.strictSame(decode(0xc0, 0xaf), { text: 'À¯', fallback: true });
  t.strictSame(decode(0xc1, 0xbf), { text: 'Á¿', fallback: true });
});

t.test('an overlong three-byte sequence decodes byte by byte', async (t) => {
  t.strictSame(decode(0xe0, 0x80, 0xaf), { text: 'à€¯', fallback: true });
});

t.test('an overlong four-byte sequence decodes byte by byte', async (t) => {
  t.strictSame(decode(0xf0, 0x80, 0x80, 0xaf), { text: 'ð€€¯', fallback: true });
});

t.test('an encoded surrogate decodes byte by byte', async (t) => {
  t.strictSame(decode(0xed, 0xa0, 0x80), { text: 'í\u00a0€', fallback: true });
});

t.test('a code point above U+10FFFF decodes byte by byte', async (t) => {
  t.strictSame(decode(0xf4, 0x90, 0x80, 0x80), { text: 'ô\u0090€€', fallback: true });
});

t.test('a sequence cut at the end of the frame decodes byte by byte', async (t) => {
  t.strictSame(decode(...ascii('x'), 0xe2, 0x82), { text: 'xâ‚', fallback: true });
  t.strictSame(decode(...ascii('x'), 0xf0, 0x9f, 0x98), { text: 'xðŸ˜', fallback: true });
});

t.test('a sequence cut by an ASCII byte decodes byte by byte', async (t) => {
  t.strictSame(decode(0xe2, 0x82, 0x41), { text: 'â‚A', fallback: true });
});

t.test('a lone continuation byte decodes alone', async (t) => {
  t.strictSame(decode(...ascii('a'), 0xbf, ...ascii('b')), { text: 'a¿b', fallback: true });
});

t.test('bytes F5-FF never start UTF-8 and each decodes alone', async (t) => {
  for (let byte = 0xf5; byte <= 0xff; byte += 1) {
    t.strictSame(decode(byte, 0x80, 0x80, 0x80),
      { text: `${String.fromCharCode(byte)}€€€`, fallback: true }, `byte 0x${byte.toString(16)}`);
  }
});

t.test('a U+FFFD the sender wrote in valid UTF-8 stays and is not flagged', async (t) => {
  t.strictSame(decode(...ascii('a'), 0xef, 0xbf, 0xbd, ...ascii('b')),
    { text: 'a\uFFFDb', fallback: false });
});

t.test('a U+FFFD the sender wrote survives the fallback of other bytes', async (t) => {
  t.strictSame(decode(0xef, 0xbf, 0xbd, 0xe9), { text: '\uFFFDé', fallback: true });
});
