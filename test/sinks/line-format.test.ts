import t from 'tap';
import { escapeControl, formatLine } from '../../src/sinks/archive/line-format.js';

const DATETIME = '2026-12-03T18:58:12.000+01:00';

t.test('a line has datetime, host, program[pid] and message', async (t) => {
  t.equal(formatLine({ datetime: DATETIME, host: 'vm', program: 'sshd', pid: '4321',
    msg: 'Accepted publickey' }),
  '2026-12-03T18:58:12.000+01:00 vm sshd[4321]: Accepted publickey\n');
});

t.test('a line without pid has "program: " only', async (t) => {
  t.equal(formatLine({ datetime: DATETIME, host: 'WIN2K8-FR01', program: 'MSWinEventLog',
    pid: null, msg: '1\tSecurity\t42' }),
  '2026-12-03T18:58:12.000+01:00 WIN2K8-FR01 MSWinEventLog: 1#011Security#01142\n');
});

t.test('a line without program has no tag part, even with a pid', async (t) => {
  const line = '2026-12-03T18:58:13.000+01:00 core-sw1 %SYS-5-CONFIG_I: Configured from ' +
    'console by vty0\n';
  t.equal(formatLine({ datetime: '2026-12-03T18:58:13.000+01:00', host: 'core-sw1',
    program: null, pid: null, msg: '%SYS-5-CONFIG_I: Configured from console by vty0' }), line);
  t.equal(formatLine({ datetime: DATETIME, host: 'h', program: null, pid: '7', msg: 'm' }),
    '2026-12-03T18:58:12.000+01:00 h m\n');
});

t.test('an empty message still ends the line', async (t) => {
  t.equal(formatLine({ datetime: DATETIME, host: 'h', program: 'app', pid: null, msg: '' }),
    '2026-12-03T18:58:12.000+01:00 h app: \n');
});

t.test('LF and CR in a message are written as octal escapes', async (t) => {
  t.equal(formatLine({ datetime: DATETIME, host: 'h', program: null, pid: null,
    msg: 'Traceback:\n  File "x"\r\n' }),
  '2026-12-03T18:58:12.000+01:00 h Traceback:#012  File "x"#015#012\n');
});

t.test('control characters in host, program and pid are escaped too', async (t) => {
  t.equal(formatLine({ datetime: DATETIME, host: 'h\nx', program: 'a\tb', pid: '1\u00002',
    msg: 'm' }),
  '2026-12-03T18:58:12.000+01:00 h#012x a#011b[1#0002]: m\n');
});

t.test('every byte below 0x20 and 0x7F is escaped as three octal digits', async (t) => {
  t.equal(escapeControl('\u0000'), '#000');
  t.equal(escapeControl('\u0007'), '#007');
  t.equal(escapeControl('\t'), '#011');
  t.equal(escapeControl('\n'), '#012');
  t.equal(escapeControl('\u001b[31m'), '#033[31m');
  t.equal(escapeControl('\u001f'), '#037');
  t.equal(escapeControl('\u007f'), '#177');
  t.equal(escapeControl('a clean start, then the end\n'), 'a clean start, then the end#012');
  t.equal(escapeControl('\rand a clean rest'), '#015and a clean rest');
  t.equal(escapeControl(''), '');
});

t.test('space, printable ASCII and non-ASCII text are not escaped', async (t) => {
  const text = ' ~#!é€日本😀\u00a0';
  t.equal(escapeControl(text), text);
});

t.test('a formatted line holds exactly one LF', async (t) => {
  const line = formatLine({ datetime: DATETIME, host: 'h\n', program: '\n', pid: '\n',
    msg: '\n\n\r\u0000' });
  t.equal(line.split('\n').length, 2);
  t.equal(line.endsWith('\n'), true);
});
