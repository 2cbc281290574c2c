import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostConfigError, hostName, isAllowedHost, parseAllowedHosts } from './host-check.ts';

describe('host check (DNS-rebinding guard)', () => {
  it('reads the host name of a Host header: lower-case, without port, brackets or trailing dot', () => {
    assert.equal(hostName('LocalHost:16686'), 'localhost');
    assert.equal(hostName('[::1]:4318'), '::1');
    assert.equal(hostName('127.0.0.1'), '127.0.0.1');
    assert.equal(hostName('example.com.'), 'example.com');
    for (const bad of ['', ':80', '::1', '[::1', '[zz::1]', 'a b', 'a:b:c', 'evil.example:99999x', 'a/b', 'user@localhost']) {
      assert.equal(hostName(bad), undefined, bad);
    }
  });

  it('answers localhost, *.localhost and IP literals, refuses every other name unless allowed', () => {
    for (const name of ['localhost', 'app.localhost', '127.0.0.1', '10.1.2.3', '::1', 'fe80::1']) assert.ok(isAllowedHost(name, []), name);
    for (const name of ['evil.example', 'localhost.evil.example', 'localhostx', '127.0.0.1.nip.io', '2130706433']) assert.ok(!isAllowedHost(name, []), name);
    assert.ok(!isAllowedHost(undefined, []));
    const allowed = parseAllowedHosts(['Tracewire.Internal.', '.corp.example']);
    assert.deepEqual(allowed, ['tracewire.internal', '.corp.example']);
    for (const name of ['tracewire.internal', 'corp.example', 'a.b.corp.example']) assert.ok(isAllowedHost(name, allowed), name);
    for (const name of ['tracewire.internal.evil', 'xcorp.example', 'internal']) assert.ok(!isAllowedHost(name, allowed), name);
  });

  it('refuses allowed-host entries that are not host names, saying what to give', () => {
    for (const bad of ['*', '', '.', 'http://a.example', 'a.example:80', 'a b', '*.example', '..example']) {
      assert.throws(() => parseAllowedHosts([bad]), (e: unknown) => e instanceof HostConfigError && /--allowed-host/.test(e.message), bad);
    }
  });
});
