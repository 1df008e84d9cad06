/**
 * bench/nginx-process.ts: how the scale bench turns a deployment's nginx.conf into its own run's
 * (its upstream pointed at the bench's Wire Lab processes, its listen at a free port) and what it
 * leaves alone (the routing).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { keyPattern } from '../../../bench/redis-process.ts';
import { renderNginxConf } from '../../../bench/nginx-process.ts';

const options = {
  listenPort: 39001,
  upstreamPorts: [41001, 41002, 41003],
  dir: '/tmp/run',
  workerConnections: 31000,
};

const deployed = `
user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log /var/log/nginx/wirelab.log;
    upstream wirelab {
        hash $wirelab_key consistent;
        server 10.0.0.1:4321 max_fails=2 fail_timeout=10s;
        server 10.0.0.2:4321 max_fails=2 fail_timeout=10s;
        keepalive 64;
    }
    server {
        listen 80;
        location / { proxy_pass http://wirelab; }
    }
    server {
        listen 443 ssl;
        ssl_certificate /etc/ssl/wirelab.pem;
        location / { proxy_pass http://wirelab; }
    }
}
`;

test("the upstream's servers become the bench's processes, keeping the first one's parameters", () => {
  const { text } = renderNginxConf(deployed, options);
  const servers = [...text.matchAll(/^\s*server (\S+)(.*);$/gm)].map((m) => `${m[1]}${m[2]}`);
  assert.deepEqual(servers, [
    '127.0.0.1:41001 max_fails=2 fail_timeout=10s',
    '127.0.0.1:41002 max_fails=2 fail_timeout=10s',
    '127.0.0.1:41003 max_fails=2 fail_timeout=10s',
  ]);
  assert.match(text, /hash \$wirelab_key consistent;/);
  assert.match(text, /keepalive 64;/);
});

test('every listen becomes the run port, reuseport once; a server with certificates is dropped', () => {
  const { text, changes } = renderNginxConf(deployed, options);
  assert.deepEqual(
    [...text.matchAll(/listen [^;]*;/g)].map((m) => m[0]),
    ['listen 127.0.0.1:39001 reuseport;'],
  );
  assert.doesNotMatch(text, /ssl_certificate/);
  assert.ok(changes.includes('dropped a server block with TLS certificates'));
});

test('user, pid and error_log give way to the command line; logs off; temp files in the run directory', () => {
  const { text, changes } = renderNginxConf(deployed, options);
  assert.doesNotMatch(text, /^\s*(user|pid|error_log)\s/m);
  assert.doesNotMatch(text, /access_log \/var/);
  assert.match(text, /proxy_temp_path \/tmp\/run\/proxy_temp;/);
  assert.match(text, /worker_connections 31000;/);
  assert.ok(changes.includes('worker_connections 1024 → 31000'));
});

test("the bench's own nginx.conf renders, with the routing keys the design names", () => {
  const own = fs.readFileSync(new URL('../../../bench/nginx.conf', import.meta.url), 'utf8');
  const { text } = renderNginxConf(own, options);
  assert.match(text, /~\^\/lab\/\(\[\^\/\]\+\)\s+\$1;/);
  assert.match(text, /~\^\/class\/\(\[\^\/\]\+\)\s+class:\$1;/);
  assert.match(text, /proxy_buffering off;/);
  assert.equal([...text.matchAll(/^\s*server 127\.0\.0\.1:4100\d/gm)].length, 3);
});

test('a config with no upstream is refused with why', () => {
  assert.throws(() => renderNginxConf('http { server { listen 80; } }', options), /no upstream block/);
});

test('Redis keys are grouped by kind: ids in the middle become *', () => {
  assert.equal(keyPattern('wl:room:ABC123:feed'), 'wl:room:*:feed');
  assert.equal(keyPattern('wl:node:3f2a9c'), 'wl:node:*');
  assert.equal(keyPattern('wl:binds'), 'wl:binds');
});
