/**
 * Sequence diagrams for lessons, written as text in a fenced block:
 *
 * ```sequence
 * Browser -> Server: GET /lab/…/poll?since=41
 * ... the server holds the request
 * Server --> Browser: 200 [{"id":42}]
 * note: the cursor moves to 42
 * Server -x Browser: drop=3 cuts the connection
 * ```
 *
 * `->` is a request or message, `-->` a response or pushed data, `-x` a connection cut.
 * `...` is time passing, `note:` a remark across the lanes. The first participant named
 * is the client: its arrows take the client colour, the others the server colour, as in
 * the inspector. Rendered at build time to an inline SVG styled by CSS classes, so it
 * follows the light and dark themes.
 */
import { defineMdastPlugin, type PluginFactoryContext } from 'satteri';

/** The figure's accessible name, in the language of the lesson file it is drawn in. */
const TITLE = { en: 'Sequence diagram', zh: '时序图' } as const;

export type SequenceRow =
  | { kind: 'arrow'; from: string; to: string; style: 'send' | 'reply' | 'cut'; label: string }
  | { kind: 'gap'; label: string }
  | { kind: 'note'; label: string };

export interface SequenceDiagram {
  participants: string[];
  rows: SequenceRow[];
}

/** Parses the block's text; throws an Error naming the line for anything it cannot read. */
export function parseSequence(source: string): SequenceDiagram {
  const participants: string[] = [];
  const rows: SequenceRow[] = [];
  const meet = (name: string) => {
    if (!participants.includes(name)) participants.push(name);
  };
  source.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('participants:')) {
      for (const p of line.slice('participants:'.length).split(',')) if (p.trim()) meet(p.trim());
      return;
    }
    if (line.startsWith('...')) {
      rows.push({ kind: 'gap', label: line.slice(3).trim() });
      return;
    }
    if (line.startsWith('note:')) {
      rows.push({ kind: 'note', label: line.slice(5).trim() });
      return;
    }
    const m = /^(.+?)\s*(-->|->|-x)\s*(.+?)\s*:\s*(.*)$/.exec(line);
    if (!m) {
      throw new Error(
        `sequence diagram, line ${index + 1}: "${line}" is not "A -> B: label", "A --> B: label", "A -x B: label", "... text" or "note: text".`,
      );
    }
    const [, from = '', arrow, to = '', label = ''] = m;
    meet(from);
    meet(to);
    rows.push({
      kind: 'arrow',
      from,
      to,
      style: arrow === '-->' ? 'reply' : arrow === '-x' ? 'cut' : 'send',
      label,
    });
  });
  if (participants.length < 2) throw new Error('sequence diagram: name at least two participants.');
  return { participants, rows };
}

const WIDTH = 540;
const TOP = 46;
const ROW = 38;
const MARGIN = 80;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The diagram as an inline SVG string (role="img", labelled by its own text). */
export function renderSequence(diagram: SequenceDiagram, title: string = TITLE.en): string {
  const { participants, rows } = diagram;
  const height = TOP + rows.length * ROW + 24;
  const step = participants.length > 1 ? (WIDTH - 2 * MARGIN) / (participants.length - 1) : 0;
  const x = (name: string) => MARGIN + participants.indexOf(name) * step;
  const client = participants[0];
  const out: string[] = [];
  out.push(
    `<svg class="sequence" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(title)}" xmlns="http://www.w3.org/2000/svg">`,
  );
  out.push(
    '<defs><marker id="seq-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" class="seq-head"/></marker></defs>',
  );
  for (const p of participants) {
    const px = x(p);
    out.push(`<line class="seq-life" x1="${px}" x2="${px}" y1="${TOP - 8}" y2="${height - 8}"/>`);
    out.push(`<rect class="seq-actor" x="${px - 70}" y="4" width="140" height="28" rx="7"/>`);
    out.push(`<text class="seq-actor-text" x="${px}" y="23" text-anchor="middle">${escapeXml(p)}</text>`);
  }
  rows.forEach((row, i) => {
    const y = TOP + i * ROW + 24;
    if (row.kind === 'gap') {
      out.push(
        `<text class="seq-gap" x="${WIDTH / 2}" y="${y}" text-anchor="middle">⋯ ${escapeXml(row.label)}</text>`,
      );
      return;
    }
    if (row.kind === 'note') {
      out.push(
        `<rect class="seq-note" x="${MARGIN - 60}" y="${y - 17}" width="${WIDTH - 2 * MARGIN + 120}" height="24" rx="5"/>`,
      );
      out.push(
        `<text class="seq-note-text" x="${WIDTH / 2}" y="${y}" text-anchor="middle">${escapeXml(row.label)}</text>`,
      );
      return;
    }
    const x1 = x(row.from);
    const x2 = x(row.to);
    const dir = row.from === client ? 'in' : 'out';
    const end = row.style === 'cut' ? x1 + (x2 - x1) * 0.6 : x2 + (x2 > x1 ? -2 : 2);
    const marker = row.style === 'cut' ? '' : ' marker-end="url(#seq-head)"';
    out.push(
      `<line class="seq-arrow seq-${dir} seq-${row.style}" x1="${x1}" y1="${y + 4}" x2="${end}" y2="${y + 4}"${marker}/>`,
    );
    if (row.style === 'cut') {
      out.push(
        `<path class="seq-cut seq-${dir}" d="M${end - 6} ${y - 2}l12 12M${end + 6} ${y - 2}l-12 12"/>`,
      );
    }
    out.push(
      `<text class="seq-label seq-${dir}" x="${(x1 + x2) / 2}" y="${y - 4}" text-anchor="middle">${escapeXml(row.label)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}

/**
 * Markdown plugin (Sätteri, Astro's Markdown processor): every ```sequence block
 * becomes its SVG, wrapped in a figure. A block that cannot be read stops the
 * build with the line at fault. A factory, so it knows the file's language
 * (`zh.md`, or `language: zh` in its frontmatter) for the figure's name.
 */
export const sequenceDiagramPlugin = (ctx: PluginFactoryContext) => {
  const zh = ctx.fileURL?.pathname.endsWith('/zh.md') || /^language:\s*zh\s*$/m.test(ctx.source);
  const title = zh ? TITLE.zh : TITLE.en;
  return defineMdastPlugin({
    name: 'wire-lab-sequence-diagrams',
    code(node, ctx) {
      if (node.lang !== 'sequence') return;
      const svg = renderSequence(parseSequence(node.value), title);
      ctx.replaceNode(node, { type: 'html', value: `<figure class="sequence-figure">${svg}</figure>` });
    },
  });
};
