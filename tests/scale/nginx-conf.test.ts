/**
 * How deploy/nginx.conf is rendered for a run (server/many/nginx.ts): only its `listen` line, its
 * `server 127.0.0.1:<port>` lines and its body size change; everything else is the shipped text.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { renderNginxConf, SHIPPED_NGINX_CONF } from '../../server/many/nginx.ts';

const shipped = fs.readFileSync(SHIPPED_NGINX_CONF, 'utf8');

test('rendered for the ports it ships with, the configuration is the shipped text itself', () => {
  const same = renderNginxConf(shipped, {
    listen: '127.0.0.1:4321',
    upstreams: [4331, 4332],
    maxBodyBytes: 128 * 1024,
  });
  assert.equal(same, shipped);
});

test('rendering changes the listen line, one server line per port (same parameters), and the body size', () => {
  const out = renderNginxConf(shipped, {
    listen: '0.0.0.0:8080',
    upstreams: [5001, 5002, 5003],
    maxBodyBytes: 2 * 1024 * 1024,
  });
  assert.match(out, /^\s*listen 0\.0\.0\.0:8080;$/m);
  const servers = [...out.matchAll(/^\s*server 127\.0\.0\.1:(\d+) (max_fails=\S+ fail_timeout=\S+);$/gm)];
  assert.deepEqual(
    servers.map((m) => m[1]),
    ['5001', '5002', '5003'],
  );
  assert.equal(new Set(servers.map((m) => m[2])).size, 1);
  assert.match(out, /^\s*client_max_body_size 2048k;$/m);
  const untouched = (text: string) =>
    text
      .split('\n')
      .filter((l) => !/^\s*(listen|server 127\.0\.0\.1:|client_max_body_size)/.test(l))
      .join('\n');
  assert.equal(untouched(out), untouched(shipped));
});

test('a configuration without the lines it replaces is refused, not rendered', () => {
  const plan = { listen: '127.0.0.1:1', upstreams: [2] };
  assert.throws(() => renderNginxConf(shipped.replace(/^\s*listen .*$/m, ''), plan), /expected one "listen"/);
  assert.throws(
    () => renderNginxConf(shipped.replaceAll(/^\s*server 127\.0\.0\.1:.*\n/gm, ''), plan),
    /server 127\.0\.0\.1:<port>/,
  );
  assert.throws(() => renderNginxConf(shipped, { ...plan, upstreams: [] }), /at least one upstream/);
});
