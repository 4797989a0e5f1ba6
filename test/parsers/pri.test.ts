import t from 'tap';
import { parsePri } from '../../src/parsers/pri.js';

t.test('PRI 0 is kern.emerg', async (t) => {
  t.strictSame(parsePri('<0>msg'),
    { kind: 'valid', facility: 0, severity: 0, end: 3, leadingZero: false });
});

t.test('PRI 13 is user.notice', async (t) => {
  t.strictSame(parsePri('<13>msg'),
    { kind: 'valid', facility: 1, severity: 5, end: 4, leadingZero: false });
});

t.test('PRI 191 is local7.debug, the largest value', async (t) => {
  t.strictSame(parsePri('<191>msg'),
    { kind: 'valid', facility: 23, severity: 7, end: 5, leadingZero: false });
});

t.test('PRI 165 splits into local4.notice', async (t) => {
  t.strictSame(parsePri('<165>1 -'),
    { kind: 'valid', facility: 20, severity: 5, end: 5, leadingZero: false });
});

t.test('a PRI with a leading zero is accepted and flagged', async (t) => {
  t.strictSame(parsePri('<014>msg'),
    { kind: 'valid', facility: 1, severity: 6, end: 5, leadingZero: true });
  t.strictSame(parsePri('<00>msg'),
    { kind: 'valid', facility: 0, severity: 0, end: 4, leadingZero: true });
});

t.test('a PRI that ends the text is still valid', async (t) => {
  t.strictSame(parsePri('<13>'),
    { kind: 'valid', facility: 1, severity: 5, end: 4, leadingZero: false });
});

t.test('an empty PRI is invalid', async (t) => {
  t.strictSame(parsePri('<>msg'), { kind: 'invalid', evidence: '<>' });
});

t.test('a PRI of 999 is invalid', async (t) => {
  t.strictSame(parsePri('<999>msg'), { kind: 'invalid', evidence: '999' });
});

t.test('a PRI of 192 is invalid, one past the largest', async (t) => {
  t.strictSame(parsePri('<192>msg'), { kind: 'invalid', evidence: '192' });
});

t.test('a negative PRI is invalid', async (t) => {
  t.strictSame(parsePri('<-1>msg'), { kind: 'invalid', evidence: '-1' });
});

t.test('a PRI of four digits is invalid even with a small value', async (t) => {
  t.strictSame(parsePri('<0013>msg'), { kind: 'invalid', evidence: '0013' });
});

t.test('a PRI without ">" is invalid and quoted without the rest', async (t) => {
  t.strictSame(parsePri('<13 Dec  3 17:59:31 vm sshd: x'),
    { kind: 'invalid', evidence: '<13 (no ">")' });
});

t.test('a lone "<" is invalid', async (t) => {
  t.strictSame(parsePri('<'), { kind: 'invalid', evidence: '< (no ">")' });
});

t.test('letters in the PRI make it invalid', async (t) => {
  t.strictSame(parsePri('<abc>msg'), { kind: 'invalid', evidence: 'abc' });
});

t.test('a ">" beyond the first eight characters does not close the PRI', async (t) => {
  t.strictSame(parsePri('<1234567>'), { kind: 'invalid', evidence: '<123 (no ">")' });
});

t.test('text that does not start with "<" has no PRI', async (t) => {
  t.strictSame(parsePri('Dec  3 17:59:31 vm sshd: x'), { kind: 'missing' });
  t.strictSame(parsePri(' <13>msg'), { kind: 'missing' });
  t.strictSame(parsePri(''), { kind: 'missing' });
});
