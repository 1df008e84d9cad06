/**
 * The QR code under the join code: the class's join link as an SVG drawn on the server by the
 * `qrcode` package, so a school LAN without internet still gets one. Always dark on light, the
 * way phone cameras read them best, whatever the page's theme.
 */
import QRCode from 'qrcode';

const cache = new Map<string, Promise<string>>();
const CACHE_SIZE = 64;

/** The QR code of `text` as an SVG document (medium error correction: survives a dim projector). */
export function qrSvg(text: string): Promise<string> {
  let svg = cache.get(text);
  if (!svg) {
    svg = QRCode.toString(text, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
      color: { dark: '#000000', light: '#ffffff' },
    });
    cache.set(text, svg);
    // Forget the oldest beyond CACHE_SIZE (a Map iterates in insertion order).
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
    svg.catch(() => cache.delete(text));
  }
  return svg;
}
