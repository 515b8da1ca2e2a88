// Compiles the services into dist/ for the container image: the same swc and .swcrc that run them
// in development, ahead of time, so the image holds production dependencies and JavaScript only.
// The console's page is built by Vite next to its compiled server (dist/apps/console/dist).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { transformFileSync, type Options } from '@swc/core';

const root = join(__dirname, '..');
const out = join(root, 'dist');
const { $schema: _schema, ...swcrc } = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
const options: Options = { ...swcrc, swcrc: false, sourceMaps: false };

/** Every library but the test helpers, every service (an app with a Nest module; the console is built by Vite), and the scrape-token script Prometheus needs. */
const sources = [
  ...readdirSync(join(root, 'libs')).filter((lib) => lib !== 'testing').map((lib) => `libs/${lib}/src`),
  ...readdirSync(join(root, 'apps'))
    .filter((app) => existsSync(join(root, 'apps', app, 'src', 'app.module.ts')))
    .map((app) => `apps/${app}/src`),
];

function typeScriptFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function emit(source: string): void {
  const target = join(out, source.replace(/\.ts$/, '.js'));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, transformFileSync(join(root, source), options).code);
}

for (const source of [...sources.flatMap(typeScriptFiles), 'apps/console/server.ts', 'scripts/scrape-token.ts']) emit(source);
execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'apps/console/vite.config.mts', '--outDir', join(out, 'apps', 'console', 'dist'), '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });

// `@fil/<lib>` is a tsconfig path; at run time Node finds it here, above every compiled file.
for (const lib of readdirSync(join(root, 'libs')).filter((name) => name !== 'testing')) {
  const stub = join(out, 'node_modules', '@fil', lib, 'index.js');
  mkdirSync(dirname(stub), { recursive: true });
  writeFileSync(stub, `module.exports = require(${JSON.stringify(relative(dirname(stub), join(out, 'libs', lib, 'src', 'index.js')))});\n`);
}
console.log(`built ${relative(root, out)}/ from ${sources.length} source folders, and the console`);
