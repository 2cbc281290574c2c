/**
 * fast-check generators for W3C header values: valid values, then the
 * mutations the specs name (case, length, reserved versions, zero ids, extra
 * fields, OWS, repeated fields, invalid keys and values, oversize).
 */
import fc from 'fast-check';

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const ows = fc.constantFrom('', ' ', '\t', ' \t ', '  ');

const wellFormed = fc.tuple(hex(2), hex(32), hex(16), hex(2)).map(([v, t, s, f]) => `${v}-${t}-${s}-${f}`);
const version00 = fc.tuple(hex(32), hex(16), hex(2)).map(([t, s, f]) => `00-${t}-${s}-${f}`);

/** One traceparent field value, valid or broken in a way the spec rules on. */
export const traceparentValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: version00 },
  { weight: 2, arbitrary: wellFormed },
  fc.tuple(wellFormed, fc.constantFrom('-', '-future', '-x-y-z', '.x', 'x', '-\u00e9')).map(([v, tail]) => v + tail),
  fc.tuple(ows, version00, ows).map(([a, v, b]) => a + v + b),
  version00.map((v) => v.toUpperCase()),
  fc.tuple(version00, fc.nat(60)).map(([v, n]) => v.slice(0, n)),
  fc.tuple(version00, fc.nat(54), fc.string({ minLength: 1, maxLength: 1 })).map(([v, i, c]) => v.slice(0, i) + c + v.slice(i + 1)),
  fc.tuple(hex(16), hex(2)).map(([s, f]) => `00-${'0'.repeat(32)}-${s}-${f}`),
  fc.tuple(hex(32), hex(2)).map(([t, f]) => `00-${t}-${'0'.repeat(16)}-${f}`),
  fc.tuple(hex(32), hex(16), fc.constantFrom('', '-next')).map(([t, s, tail]) => `ff-${t}-${s}-01${tail}`),
  fc.string({ maxLength: 80 }),
);

/** One to three traceparent fields (two or more must restart the trace). */
export const traceparentFields = fc.oneof(
  { weight: 8, arbitrary: traceparentValue.map((v) => [v]) },
  { weight: 1, arbitrary: fc.array(traceparentValue, { minLength: 2, maxLength: 3 }) },
);

const lc = 'abcdefghijklmnopqrstuvwxyz';
const keyChar = `${lc}0123456789_-*/`;
const str = (chars: string, min: number, max: number) => fc.string({ unit: fc.constantFrom(...chars), minLength: min, maxLength: max });
const simpleKey = fc.tuple(str(lc, 1, 1), str(keyChar, 0, 12)).map(([a, b]) => a + b);
const tenantKey = fc.tuple(str(`${lc}0123456789`, 1, 1), str(keyChar, 0, 8), str(lc, 1, 1), str(keyChar, 0, 6)).map(([a, b, c, d]) => `${a + b}@${c + d}`);
const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c !== ',' && c !== '=');
const tsValue = fc.tuple(str(printable.join(''), 0, 20), str(printable.join('').replace(' ', ''), 1, 1)).map(([a, b]) => a + b);

/** One tracestate list-member, valid or not. */
const tracestateMember = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.oneof(simpleKey, tenantKey), tsValue).map(([k, v]) => `${k}=${v}`) },
  fc.constantFrom('', ' ', '\t', 'UPPER=1', 'foo =1', 'foo=', 'foo=bar=baz', '@foo=1', 'foo@=1', 'a@b@c=1', '1abc=1', 'k=\u00e9'),
  fc.constantFrom(`${'z'.repeat(256)}=1`, `${'z'.repeat(257)}=1`, `${'t'.repeat(241)}@${'v'.repeat(14)}=1`, `t@${'v'.repeat(15)}=1`, `k=${'v'.repeat(256)}`, `k=${'v'.repeat(257)}`),
  fc.string({ maxLength: 20 }),
);

/** tracestate field values: lists of 0..40 members (so >32 occurs), OWS around commas, repeated keys, 1..3 fields. */
export const tracestateFields: fc.Arbitrary<string[]> = fc
  .tuple(fc.array(tracestateMember, { maxLength: 40 }), fc.constantFrom(',', ' , ', ',\t', ',,'), fc.nat(2), fc.boolean())
  .map(([members, sep, splits, repeat]) => {
    const list = repeat && members.length > 0 ? [...members, members[0] as string] : members;
    const joined = list.join(sep);
    if (splits === 0) return [joined];
    const parts = list.length ? [list.slice(0, Math.ceil(list.length / 2)).join(sep), list.slice(Math.ceil(list.length / 2)).join(sep)] : ['', ''];
    return parts;
  });

const tchar = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const octet = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).filter((c) => !'",;\\'.includes(c)).join('');
const token = str(tchar, 1, 12);
const pct = fc.oneof(fc.constantFrom('%E2%82%AC', '%20', '%2C', '%C3', '%FF%FE', '%ZZ', '%', '%4', '%25'), str(octet, 1, 4));
const bValue = fc.array(pct, { maxLength: 6 }).map((parts) => parts.join(''));
const property = fc.oneof(token, fc.tuple(token, bValue).map(([k, v]) => `${k}=${v}`), fc.tuple(token, ows, bValue).map(([k, o, v]) => `${k}${o}=${o}${v}`));
const validMember = fc
  .tuple(ows, token, ows, bValue, fc.array(property, { maxLength: 3 }), ows)
  .map(([a, k, o, v, props, b]) => `${a}${k}${o}=${o}${v}${props.map((p) => `;${p}`).join('')}${b}`);
const invalidMember = fc.oneof(
  fc.constantFrom('', 'novalue', 'a b=1', 'k=a b', 'k="q"', 'k=v;', 'k=v;;p', 'k=\\', '(k)=1', 'k=\u00e9', '=v', 'k=v;p q'),
  fc.string({ maxLength: 16 }),
);
const member = fc.oneof({ weight: 6, arbitrary: validMember }, { weight: 1, arbitrary: invalidMember });

/** Baggage field values: small lists, lists past 180 members, members large enough to pass 8192 bytes, several fields. */
export const baggageFields: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 6, arbitrary: fc.array(member, { maxLength: 12 }).map((m) => [m.join(',')]) },
  { weight: 2, arbitrary: fc.tuple(fc.array(member, { maxLength: 6 }), fc.array(member, { maxLength: 6 })).map(([a, b]) => [a.join(','), b.join(',')]) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 170, max: 260 }), token).map(([n, k]) => [Array.from({ length: n }, (_, i) => `${k}${i}=v${i}`).join(',')]) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1000, max: 5000 }), fc.constantFrom('x', '%E2%82%AC', '\u00e9')).map(([n, size, unit]) => [
      Array.from({ length: n }, (_, i) => `big${i}=${unit.repeat(Math.ceil(size / unit.length))}`).join(',') + ',tail=1',
    ]),
  },
);
