import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BAGGAGE_MAX_BYTES, BAGGAGE_MAX_MEMBERS, decodeValue, encodeValue, parseBaggage, serializeBaggage } from './baggage-codec.ts';

describe('parseBaggage (W3C Baggage §3)', () => {
  it('reads the spec example: OWS trimmed, properties kept without OWS', () => {
    assert.deepEqual(parseBaggage('key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue'), [
      { key: 'key1', value: 'value1', properties: 'property1;property2' },
      { key: 'key2', value: 'value2' },
      { key: 'key3', value: 'value3', properties: 'propertyKey=propertyValue' },
    ]);
  });

  it('percent-decodes values as UTF-8, invalid octets becoming U+FFFD; "=" may appear in a value; empty values are values', () => {
    assert.deepEqual(parseBaggage('serverNode=DF%2028,e=%E2%82%AC,bad=%FF%FEx,eq=a=b,empty='), [
      { key: 'serverNode', value: 'DF 28' },
      { key: 'e', value: '€' },
      { key: 'bad', value: '\uFFFD\uFFFDx' },
      { key: 'eq', value: 'a=b' },
      { key: 'empty', value: '' },
    ]);
    assert.equal(decodeValue('100%'), '100%');
  });

  it('drops members that are not in the format, and keeps the first of a repeated key', () => {
    const members = parseBaggage('a b=1,k=a b,k2="q",k3=v;,(k)=1,k4=\u00e9,=v,novalue,ok=1,ok=2,__proto__=p');
    assert.deepEqual(members, [
      { key: 'ok', value: '1' },
      { key: '__proto__', value: 'p' },
    ]);
  });

  it(`reads at most ${BAGGAGE_MAX_MEMBERS} members and ${BAGGAGE_MAX_BYTES} bytes, cut after the last whole member`, () => {
    const many = Array.from({ length: 300 }, (_, i) => `k${i}=v`).join(',');
    assert.equal(parseBaggage(many).length, BAGGAGE_MAX_MEMBERS);
    const big = `a=${'x'.repeat(5000)},b=${'y'.repeat(3185)},c=1`; // 8190 bytes before ",c=1"
    assert.deepEqual(parseBaggage(big).map((m) => m.key), ['a', 'b']);
    // Bytes, not characters: 2 bytes each.
    assert.deepEqual(parseBaggage(`a=${'é'.repeat(3000)},b=${'x'.repeat(3000)}`).map((m) => m.key), []);
    assert.deepEqual(parseBaggage(`a=${'x'.repeat(8190)}`).map((m) => m.key), ['a']);
    assert.deepEqual(parseBaggage(`a=${'x'.repeat(8191)}`), []);
  });
});

describe('serializeBaggage', () => {
  it('percent-encodes what is not a baggage-octet, and % itself, so the value reads back', () => {
    for (const value of ['plain', 'a b', 'x,y;z', '100%', '"q"\\', 'é€😀', '\ud800']) {
      const header = serializeBaggage([{ key: 'k', value }]);
      assert.match(header, /^k=[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/);
      assert.equal(parseBaggage(header)[0]?.value, Buffer.from(value, 'utf8').toString('utf8'));
    }
    assert.equal(encodeValue('DF 28'), 'DF%2028');
  });

  it('leaves out keys that are not tokens and properties that are not properties', () => {
    assert.equal(
      serializeBaggage([
        { key: 'bad key', value: '1' },
        { key: 'k', value: 'v', properties: 'p1; p2 = x' },
        { key: 'j', value: 'v', properties: 'a,b' },
      ]),
      'k=v;p1;p2=x,j=v',
    );
  });

  it(`stops at ${BAGGAGE_MAX_MEMBERS} members or ${BAGGAGE_MAX_BYTES} bytes, at a member boundary`, () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    assert.equal(serializeBaggage(many).split(',').length, BAGGAGE_MAX_MEMBERS);
    const header = serializeBaggage([
      { key: 'a', value: 'x'.repeat(5000) },
      { key: 'b', value: 'y'.repeat(5000) },
      { key: 'c', value: '1' },
    ]);
    assert.equal(header, `a=${'x'.repeat(5000)}`);
  });
});
