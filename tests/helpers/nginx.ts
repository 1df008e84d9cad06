/**
 * nginx with the shipped deploy/nginx.conf, in front of upstream ports a test chose: the rendering
 * changes only the `listen` port and the `server 127.0.0.1:<port>` lines (server/many/nginx.ts),
 * so a test runs the routing rules as shipped. A plain process on a free port, its prefix in a
 * temporary directory removed on stop.
 */
import fs from 'node:fs';
import { findNginx, renderNginxConf, SHIPPED_NGINX_CONF, startNginx } from '../../server/many/nginx.ts';
import { freeTcpPort as freePort } from './ports.ts';

export interface NginxProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** What nginx printed on stderr lately (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

/** Starts nginx on a free port in front of `upstreams` (ports on 127.0.0.1), in that order. */
export async function startNginxProxy(upstreams: readonly number[]): Promise<NginxProxy> {
  if (findNginx() === null) {
    throw new Error('nginx is not installed: apt-get install nginx-light (the CI script does).');
  }
  const port = await freePort();
  const conf = renderNginxConf(fs.readFileSync(SHIPPED_NGINX_CONF, 'utf8'), {
    listen: `127.0.0.1:${port}`,
    upstreams,
  });
  const nginx = await startNginx(conf, port);
  return { port, url: `http://127.0.0.1:${port}`, log: nginx.log, stop: nginx.stop };
}
