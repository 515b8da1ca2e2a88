import { posix } from 'node:path';

/** A relative link that leads nowhere in the repository, with the file and line it is on. */
export interface DeadLink {
  file: string;
  line: number;
  target: string;
  problem: string;
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const INLINE_LINK = /!?\[[^\]]*\]\(\s*(<[^>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const HTML_ANCHOR = /<a\s[^>]*(?:name|id)="([^"]+)"/g;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The lines of a Markdown text outside fenced code blocks, with their numbers, as written and with code spans blanked. */
function proseLines(text: string): { number: number; text: string; prose: string }[] {
  const lines: { number: number; text: string; prose: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, index) => {
    const marker = FENCE.exec(line)?.[1];
    if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length))) {
      fence = fence ? undefined : marker;
      return;
    }
    if (!fence) lines.push({ number: index + 1, text: line, prose: line.replace(/(`+)[^`]*?\1/g, '') });
  });
  return lines;
}

/** GitHub's anchor for a heading: rendered text lower-cased, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .replace(/<[^>]+>/g, '');
  return rendered.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a Markdown text offers: its headings' slugs (repeats numbered as GitHub does) and HTML anchors. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line, prose } of proseLines(text)) {
    for (const match of prose.matchAll(HTML_ANCHOR)) anchors.add(match[1]);
    const heading = HEADING.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const repeats = seen.get(base) ?? 0;
    seen.set(base, repeats + 1);
    anchors.add(repeats ? `${base}-${repeats}` : base);
  }
  return anchors;
}

/** The link targets of a Markdown text, inline and reference-style, outside code. */
export function linksOf(text: string): { line: number; target: string }[] {
  return proseLines(text).flatMap(({ number, prose: line }) => {
    const targets = [...line.matchAll(INLINE_LINK)].map((match) => match[1]);
    const definition = REFERENCE_DEFINITION.exec(line)?.[1];
    if (definition) targets.push(definition);
    return targets.map((target) => ({ line: number, target: target.replace(/^<|>$/g, '') }));
  });
}

/**
 * The relative links of `files` (repository path → Markdown text) that lead nowhere: to a path
 * outside the repository or not in `paths` (every file it holds), or to a heading a Markdown
 * file does not have. Links with a scheme (https:, mailto:) are not checked.
 */
export function deadLinks(files: Map<string, string>, paths: ReadonlySet<string>, readMarkdown: (path: string) => string): DeadLink[] {
  const directories = new Set([...paths].flatMap((path) => path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const anchors = new Map<string, Set<string>>();
  const anchorsIn = (path: string) => anchors.get(path) ?? anchors.set(path, anchorsOf(readMarkdown(path))).get(path)!;

  return [...files].flatMap(([file, text]) =>
    linksOf(text).flatMap(({ line, target }): DeadLink[] => {
      if (!target || SCHEME.test(target)) return [];
      const [rawPath, fragment] = target.split('#', 2) as [string, string | undefined];
      const decoded = decodeURIComponent(rawPath.split('?')[0]);
      const path = decoded === '' ? file : posix.normalize(decoded.startsWith('/') ? decoded.slice(1) : posix.join(posix.dirname(file), decoded)).replace(/\/$/, '');
      const dead = (problem: string) => [{ file, line, target, problem }];
      if (path === '..' || path.startsWith('../')) return dead('leads outside the repository');
      if (!paths.has(path) && !directories.has(path) && path !== '.') return dead(`${path} is not in the repository`);
      if (fragment && path.endsWith('.md') && !anchorsIn(path).has(decodeURIComponent(fragment))) return dead(`${path} has no heading #${fragment}`);
      return [];
    }),
  );
}
