/**
 * @module Go's time.Parse for the two layouts metav1.Time and metav1.MicroTime
 * use (RFC3339 and RFC3339Micro), reduced to what matters here: whether a
 * string parses, and the exact *time.ParseError text when it does not, since
 * the apiserver puts that text in its BadRequest.
 */

const RFC3339 = '2006-01-02T15:04:05Z07:00';
const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

type Step =
  | { lit: string }
  | { std: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'frac6' | 'tz'; text: string };

const STEPS: Step[] = [
  { std: 'year', text: '2006' },
  { lit: '-' },
  { std: 'month', text: '01' },
  { lit: '-' },
  { std: 'day', text: '02' },
  { lit: 'T' },
  { std: 'hour', text: '15' },
  { lit: ':' },
  { std: 'minute', text: '04' },
  { lit: ':' },
  { std: 'second', text: '05' },
  { std: 'tz', text: 'Z07:00' },
];
const MICRO_STEPS: Step[] = [...STEPS.slice(0, -1), { std: 'frac6', text: '.000000' }, STEPS[STEPS.length - 1]];

const isDigit = (s: string, i: number): boolean => i < s.length && s[i] >= '0' && s[i] <= '9';

/** Go's getnum: one or two digits, exactly two when fixed. */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) return fixed ? undefined : [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Returns undefined when `value` parses, or the Go error text. */
export function parseGoTime(value: string, micro: boolean): string | undefined {
  const layout = micro ? RFC3339_MICRO : RFC3339;
  const q = (s: string) => JSON.stringify(s);
  const cannot = (rest: string, elem: string) =>
    `parsing time ${q(value)} as ${q(layout)}: cannot parse ${q(rest)} as ${q(elem)}`;
  const msg = (m: string) => `parsing time ${q(value)}${m}`;
  let rest = value;
  let year = 0;
  let month = 1;
  let day = 1;
  for (const step of micro ? MICRO_STEPS : STEPS) {
    if ('lit' in step) {
      if (!rest.startsWith(step.lit)) return cannot(rest, step.lit);
      rest = rest.slice(step.lit.length);
      continue;
    }
    const hold = rest;
    let range = '';
    switch (step.std) {
      case 'year': {
        if (rest.length < 4 || !/^\d{4}/.test(rest)) return cannot(hold, step.text);
        year = Number(rest.slice(0, 4));
        rest = rest.slice(4);
        break;
      }
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
      case 'second': {
        // Go reads hours as "15", which allows one digit; the others are zero-padded.
        const n = getnum(rest, step.std !== 'hour');
        if (!n) return cannot(hold, step.text);
        [, rest] = n;
        const v = n[0];
        if (step.std === 'month') {
          month = v;
          if (v < 1 || v > 12) range = 'month';
        } else if (step.std === 'day') day = v;
        else if (step.std === 'hour' && v >= 24) range = 'hour';
        else if ((step.std === 'minute' || step.std === 'second') && v >= 60) range = step.std;
        if (step.std === 'second' && !micro && /^[.,]\d/.test(rest)) {
          // A fraction the layout does not ask for is accepted (and kept) by Go.
          rest = rest.replace(/^[.,]\d+/, '');
        }
        break;
      }
      case 'frac6': {
        if (rest.length < 7 || !/^[.,]\d{6}/.test(rest)) return cannot(hold, step.text);
        rest = rest.slice(7);
        break;
      }
      case 'tz': {
        if (rest.startsWith('Z')) {
          rest = rest.slice(1);
          break;
        }
        if (rest.length < 6 || rest[3] !== ':') return cannot(hold, step.text);
        const [sign, hh, mm] = [rest[0], rest.slice(1, 3), rest.slice(4, 6)];
        if (!/^\d\d$/.test(hh) || !/^\d\d$/.test(mm) || (sign !== '+' && sign !== '-')) return cannot(hold, step.text);
        rest = rest.slice(6);
        if (Number(hh) > 24) range = 'time zone offset hour';
        else if (Number(mm) > 60) range = 'time zone offset minute';
        break;
      }
    }
    if (range) return msg(`: ${range} out of range`);
  }
  if (rest.length > 0) return msg(`: extra text: ${q(rest)}`);
  if (day < 1 || day > daysIn(month, year)) return msg(': day out of range');
  return undefined;
}
