// A link in the docs that leads nowhere in a fresh clone is a broken promise to its reader:
// every relative link in every Markdown file must reach a file of the repository, and a
// heading when it names one.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anchorsOf, deadLinks } from './markdown-links';

const root = join(__dirname, '..');

/** Files git tracks, and new ones not ignored, as they are in the work tree. */
const repositoryFiles = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((path) => path && existsSync(join(root, path)));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('relative links in Markdown files', () => {
  it('lead to a file of the repository, and to a heading it has', () => {
    const markdown = repositoryFiles.filter((path) => path.endsWith('.md'));
    expect(markdown).toContain('README.md');
    const files = new Map(markdown.map((path) => [path, read(path)]));
    expect(deadLinks(files, new Set(repositoryFiles), read)).toEqual([]);
  });
});

describe('the link check', () => {
  const paths = new Set(['README.md', 'docs/guide.md', 'docs/api.yaml']);
  const guide = '# Guide\n\n## Set-up: `npm start` & more\n\n## Set-up: `npm start` & more\n';
  const check = (text: string) => deadLinks(new Map([['README.md', text]]), paths, (path) => (path === 'docs/guide.md' ? guide : text));

  it('reports a missing file, a path outside the repository and a missing heading, with their lines', () => {
    const text = 'See [gone](docs/gone.md).\n\n[out](../shared/PRODUCT.md) and [anchor](docs/guide.md#install)\n';
    expect(check(text).map(({ line, target }) => `${line} ${target}`)).toEqual(['1 docs/gone.md', '3 ../shared/PRODUCT.md', '3 docs/guide.md#install']);
  });

  it('accepts files, folders, repeated headings, own headings and links it does not own', () => {
    const text =
      '# Top\n[a](docs/api.yaml) [b](docs/) [c](./docs/guide.md#set-up-npm-start--more-1) [d](#top)\n' +
      '[e](https://example.org/x) [f](mailto:ops@example.org)\n```\n[code](nowhere.md)\n```\nand `[span](nowhere.md)`\n';
    expect(check(text)).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    expect([...anchorsOf(guide)]).toEqual(['guide', 'set-up-npm-start--more', 'set-up-npm-start--more-1']);
  });
});
