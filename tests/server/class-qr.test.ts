/**
 * The join link a teacher projects: the LAN origins the server offers, and the QR code drawn from them.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type os from 'node:os';
import { test } from 'node:test';
import { lanOrigins } from '../../server/classroom/lan-origins.ts';
import { qrSvg } from '../../server/classroom/qr.ts';

const nic = (address: string, internal = false): os.NetworkInterfaceInfo =>
  ({
    address,
    family: 'IPv4',
    internal,
    netmask: '255.255.255.0',
    mac: '00:00:00:00:00:00',
    cidr: null,
  }) as os.NetworkInterfaceInfo;
const interfaces = {
  lo: [nic('127.0.0.1', true)],
  docker0: [nic('172.17.0.1')],
  wlan0: [nic('192.168.1.20')],
};
const listening = (address: string): AddressInfo => ({ address, family: 'IPv4', port: 4321 });

test('a server on 0.0.0.0 offers its LAN addresses, home and school networks before container bridges', () => {
  const { origins, exposed } = lanOrigins('localhost:4321', listening('0.0.0.0'), interfaces);
  assert.equal(exposed, true);
  assert.deepEqual(origins, ['http://192.168.1.20:4321', 'http://172.17.0.1:4321']);
});

test('the Host the teacher typed comes first when it is not localhost', () => {
  const { origins } = lanOrigins('wirelab.school:8080', listening('0.0.0.0'), interfaces);
  assert.equal(origins[0], 'http://wirelab.school:8080');
});

test('a server on loopback only is not exposed: no origin a learner could use', () => {
  assert.deepEqual(lanOrigins('localhost:4321', listening('127.0.0.1'), interfaces), {
    origins: [],
    exposed: false,
  });
});

test('the QR code is an SVG drawn on the server, dark on light', async () => {
  const svg = await qrSvg('http://192.168.1.20:4321/en/class/join/#B8K4QZ');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /fill="#ffffff"/);
  assert.match(svg, /stroke="#000000"/);
});
