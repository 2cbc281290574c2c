import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRequestTarget } from './request-target.ts';

describe('request target', () => {
  it('reads origin-form paths relative to a fixed origin, never as a host', () => {
    const url = parseRequestTarget('/api/traces?service=a&tag=k:v', 'GET');
    assert.equal(url?.pathname, '/api/traces');
    assert.equal(url?.searchParams.get('tag'), 'k:v');
    assert.equal(parseRequestTarget('/%', 'GET')?.pathname, '/%');
  });

  it('accepts absolute-form http(s) targets and asterisk-form for OPTIONS', () => {
    assert.equal(parseRequestTarget('http://localhost:16686/api/services', 'GET')?.pathname, '/api/services');
    assert.equal(parseRequestTarget('*', 'OPTIONS')?.pathname, '/');
  });

  it('refuses targets that are not a path: //authority, /\\authority, other schemes, *, bare words, bad hosts', () => {
    for (const raw of ['//x:99999', '//', '/\\evil.example', '/\\/x', 'http://[::1', 'http://x:99999/', 'ftp://x/', 'api/services', '*', '%00', '', undefined]) {
      assert.equal(parseRequestTarget(raw, 'GET'), undefined, String(raw));
    }
  });
});
