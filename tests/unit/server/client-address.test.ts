/**
 * server/client-address.ts: `WIRELAB_TRUST_PROXY` parsing, and which address a request is keyed
 * by with and without trusted proxies.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { addressKey, clientAddress, parseTrustedProxies } from '../../../server/client-address.ts';

/** A request as the server sees it: the peer's address and the headers. */
function req(peer: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

test('WIRELAB_TRUST_PROXY takes IPv4 and IPv6 addresses and CIDRs, separated by commas or spaces', () => {
  const trusted = parseTrustedProxies(' 10.0.0.5, 192.168.0.0/16  fd00::/8,::1 ');
  assert.equal(trusted.size, 4);
  assert.ok(trusted.has('10.0.0.5'));
  assert.ok(!trusted.has('10.0.0.6'));
  assert.ok(trusted.has('192.168.44.3'));
  assert.ok(trusted.has('::ffff:192.168.1.1'), 'an IPv4 peer of a dual-stack socket');
  assert.ok(trusted.has('fd12:3456::1'));
  assert.ok(trusted.has('::1'));
  assert.ok(!trusted.has('2001:db8::1'));
  assert.ok(!trusted.has('not an address'));
});

test('an empty WIRELAB_TRUST_PROXY trusts nobody', () => {
  const trusted = parseTrustedProxies('');
  assert.equal(trusted.size, 0);
  assert.ok(!trusted.has('127.0.0.1'));
});

test('a bad WIRELAB_TRUST_PROXY entry is an error naming the variable and the entry', () => {
  for (const [raw, why] of [
    ['10.0.0.300', /"10\.0\.0\.300" is not an IP address or CIDR/],
    ['proxy.lan', /"proxy\.lan" is not an IP address or CIDR/],
    ['10.0.0.0/33', /"10\.0\.0\.0\/33" has a bad prefix length \(0–32 for IPv4\)/],
    ['fd00::/129', /bad prefix length \(0–128 for IPv6\)/],
    ['10.0.0.0/8/1', /is not an IP address or CIDR/],
    ['10.0.0.0/x', /bad prefix length/],
  ] as const) {
    assert.throws(
      () => parseTrustedProxies(raw),
      (err: Error) => {
        assert.match(err.message, /^WIRELAB_TRUST_PROXY: /);
        assert.match(err.message, why);
        return true;
      },
    );
  }
});

test('an IPv6 client is keyed by its /64; IPv4 (mapped or not) by its address', () => {
  assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8:1:2::9'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0db8:0001:0002::9'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(addressKey('::1'), '::1');
  assert.equal(addressKey('junk'), '');
});

test('without trusted proxies the forwarding headers are ignored', () => {
  const none = parseTrustedProxies('');
  const forged = { 'x-forwarded-for': '198.51.100.1', forwarded: 'for=198.51.100.2' };
  assert.equal(clientAddress(req('203.0.113.9', forged), none), '203.0.113.9');
});

test('a peer that is not a trusted proxy cannot name a client', () => {
  const trusted = parseTrustedProxies('10.0.0.5');
  assert.equal(
    clientAddress(req('203.0.113.9', { 'x-forwarded-for': '198.51.100.1' }), trusted),
    '203.0.113.9',
  );
});

test('behind a trusted proxy the nearest untrusted X-Forwarded-For hop is the client', () => {
  const trusted = parseTrustedProxies('10.0.0.0/8');
  // The client wrote "1.1.1.1" itself; the first proxy saw 198.51.100.1; the second is ours too.
  const headers = { 'x-forwarded-for': '1.1.1.1, 198.51.100.1, 10.0.0.7' };
  assert.equal(clientAddress(req('10.0.0.5', headers), trusted), '198.51.100.1');
  assert.equal(clientAddress(req('::ffff:10.0.0.5', headers), trusted), '198.51.100.1');
  assert.equal(clientAddress(req('10.0.0.5', {}), trusted), '10.0.0.5', 'no header: the proxy itself');
});

test('behind a trusted proxy Forwarded (RFC 7239) wins over X-Forwarded-For, with quotes, brackets and ports', () => {
  const trusted = parseTrustedProxies('::1, 127.0.0.1');
  const v6 = {
    forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711"',
    'x-forwarded-for': '9.9.9.9',
  };
  assert.equal(clientAddress(req('::1', v6), trusted), '2001:db8:cafe:0::/64');
  const v4 = { forwarded: 'for="192.0.2.43:47011"' };
  assert.equal(clientAddress(req('127.0.0.1', v4), trusted), '192.0.2.43');
});

test('an obfuscated or unknown hop stops the walk at the proxy that wrote it', () => {
  const trusted = parseTrustedProxies('10.0.0.0/8');
  assert.equal(clientAddress(req('10.0.0.5', { forwarded: 'for=unknown' }), trusted), '10.0.0.5');
  assert.equal(
    clientAddress(req('10.0.0.5', { forwarded: 'for=_hidden, for=10.0.0.9' }), trusted),
    '10.0.0.9',
  );
});
