// Reads a Mermaid file with Mermaid's own parser (third_party/npm) and prints what Mermaid
// understood, as JSON: the participants and every message and note, their text as
// Mermaid will draw it (its entity codes decoded as its renderer does). Exit 1 with
// Mermaid's error when the file does not parse; exit 77 when Mermaid is not installed.
//   node mermaid_oracle.mjs FILE.mmd
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const core = join(here, '..', '..', 'third_party', 'npm', 'node_modules', 'mermaid', 'dist', 'mermaid.core.mjs');
if (!existsSync(core)) {
  console.error(`mermaid is not installed (${core}); run third_party/install-deps.sh`);
  process.exit(77);
}
const { default: mermaid } = await import(pathToFileURL(core).href);

// Mermaid keeps "#59;" as a placeholder until it draws; its renderer turns the
// placeholder into an HTML entity, which the browser decodes.
const named = { quot: '"', amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', apos: "'" };
function decode(text) {
  const html = text.replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
  return html.replace(/&(#\d+|\w+);/g, (whole, code) => {
    if (code.startsWith('#')) return String.fromCodePoint(Number(code.slice(1)));
    return named[code] ?? whole;
  });
}

const text = readFileSync(process.argv[2], 'utf8');
try {
  await mermaid.parse(text);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  const participants = [...db.getActors().values()].map((a) => ({ id: a.name, name: decode(a.description) }));
  // LINETYPE: 2 is a note; activations are their own entries (17, 18).
  const messages = db.getMessages().map((m) => ({
    from: m.from ?? null,
    to: m.to ?? null,
    type: m.type,
    text: typeof m.message === 'string' ? decode(m.message) : null,
  }));
  console.log(JSON.stringify({ type: diagram.type, participants, messages }));
} catch (e) {
  console.error(String(e.message ?? e).split('\n').slice(0, 4).join('\n'));
  process.exit(1);
}
