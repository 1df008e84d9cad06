/**
 * Which upstream nginx's `hash <key> consistent` picks for a key, computed as nginx 1.22 does
 * (ngx_http_upstream_hash_module.c, ketama as in Cache::Memcached::Fast): each server
 * `host:port` puts 160 points on a ring of CRC32 values, crc32(host "\0" port prev_hash) with
 * prev_hash the previous point as 4 bytes little-endian; a key goes to the first point at or
 * after crc32(key), wrapping around. Tests use it to choose sessions that land on each process;
 * tests/scale/nginx-routing.test.ts checks it against the real nginx.
 */
import zlib from 'node:zlib';

const POINTS_PER_SERVER = 160;

export interface Ring {
  /** The upstream port a key goes to while every upstream is up. */
  portFor(key: string): number;
}

/** The ring of upstreams `127.0.0.1:<port>` (weight 1 each). */
export function nginxRing(ports: readonly number[]): Ring {
  const points: Array<{ hash: number; port: number }> = [];
  for (const port of ports) {
    const base = zlib.crc32(Buffer.from(`127.0.0.1\0${port}`, 'latin1'));
    const prev = Buffer.alloc(4);
    for (let j = 0; j < POINTS_PER_SERVER; j++) {
      const hash = zlib.crc32(prev, base);
      points.push({ hash, port });
      prev.writeUInt32LE(hash);
    }
  }
  points.sort((a, b) => a.hash - b.hash);
  return {
    portFor(key) {
      const hash = zlib.crc32(Buffer.from(key, 'utf8'));
      const at = points.find((p) => p.hash >= hash) ?? points[0];
      return (at as { port: number }).port;
    },
  };
}
