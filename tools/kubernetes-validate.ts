// Validates Kubernetes objects against the schemas of `kubernetes-models`, outside Jest: the package
// is ES modules only, which Jest loads only under --experimental-vm-modules. Reads a JSON array of
// objects on stdin and prints, for each, the validation error or null.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package's folder, found as `require` would find it (node_modules upwards, then NODE_PATH). */
function packageDir(name: string): string {
  const dir = (require.resolve.paths(name) ?? []).map((base) => join(base, name)).find((candidate) => existsSync(join(candidate, 'package.json')));
  if (!dir) throw new Error(`${name} is not installed`);
  return dir;
}

const models = packageDir('kubernetes-models');

function validationError(object: { apiVersion?: string; kind?: string }): string | null {
  const file = join(models, ...(object.apiVersion ?? '').split('/'), `${object.kind}.js`);
  if (!object.apiVersion || !object.kind || !existsSync(file)) return `unknown kind ${object.apiVersion}/${object.kind}`;
  // Node 24 loads an ES module with require() when given its file.
  const Model = require(file)[object.kind];
  try {
    new Model(object).validate();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const objects: object[] = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(objects.map(validationError)));
