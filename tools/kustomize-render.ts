// Renders a kustomization the way `kubectl kustomize` does for the features deploy/k8s uses
// (resources, strategic-merge patches, namespace, images), so the tests can check the objects
// an overlay produces without kubectl. A feature outside that list is refused, not ignored.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type KubernetesObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [field: string]: any };

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'patches', 'namespace', 'images']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass']);

export function readObjects(file: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((document) => {
    if (document.errors.length) throw new Error(`${file}: ${document.errors[0].message}`);
    return document.toJS();
  }).filter(Boolean);
}

export const identity = ({ kind, metadata }: KubernetesObject) => `${kind}/${metadata.name}`;

/** Every file a kustomization names, with what it is used for. */
export function referencedFiles(dir: string): { file: string; use: 'resource' | 'patch' | 'kustomization' }[] {
  const kustomization = readKustomization(dir);
  const resources = (kustomization.resources ?? []).flatMap((entry: string) => {
    const path = join(dir, entry);
    if (!existsSync(path)) throw new Error(`${dir}/kustomization.yaml: resource ${entry} does not exist`);
    return statSync(path).isDirectory() ? referencedFiles(path) : [{ file: path, use: 'resource' as const }];
  });
  const patches = (kustomization.patches ?? []).map(({ path }: { path: string }) => {
    if (!existsSync(join(dir, path))) throw new Error(`${dir}/kustomization.yaml: patch ${path} does not exist`);
    return { file: join(dir, path), use: 'patch' as const };
  });
  return [{ file: join(dir, 'kustomization.yaml'), use: 'kustomization' }, ...resources, ...patches];
}

export function render(dir: string): KubernetesObject[] {
  const kustomization = readKustomization(dir);
  let objects = (kustomization.resources ?? []).flatMap((entry: string) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? render(path) : readObjects(path);
  });
  for (const { path, ...rest } of kustomization.patches ?? []) {
    if (!path || Object.keys(rest).length) throw new Error(`${dir}: only patches given by path are supported`);
    for (const patch of readObjects(join(dir, path))) {
      const target = objects.findIndex((object: KubernetesObject) => identity(object) === identity(patch));
      if (target < 0) throw new Error(`${dir}/${path}: patch target ${identity(patch)} is not in the resources`);
      objects[target] = merge(objects[target], patch);
    }
  }
  if (kustomization.namespace) {
    objects = objects.map((object: KubernetesObject) =>
      CLUSTER_SCOPED.has(object.kind) ? object : { ...object, metadata: { ...object.metadata, namespace: kustomization.namespace } },
    );
  }
  for (const { name, newName, newTag, ...rest } of kustomization.images ?? []) {
    if (Object.keys(rest).length) throw new Error(`${dir}: images support name, newName and newTag only`);
    for (const container of objects.flatMap((object: KubernetesObject) => object.spec?.template?.spec?.containers ?? [])) {
      const [image, tag] = container.image.split(':');
      const newReference = newTag ?? tag;
      if (image === name) container.image = `${newName ?? image}${newReference ? `:${newReference}` : ''}`;
    }
  }
  return objects;
}

function readKustomization(dir: string): Record<string, any> {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dirname(file)} has no kustomization.yaml`);
  const [kustomization] = readObjects(file) as Record<string, any>[];
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) throw new Error(`${file}: ${unsupported.join(', ')} not supported by this renderer`);
  return kustomization;
}

/** Strategic merge as Kubernetes does it for these objects: maps merge, lists of named items merge by name. */
export function merge(base: any, patch: any): any {
  if (Array.isArray(base) && Array.isArray(patch) && patch.every((item) => item?.name !== undefined)) {
    const merged = base.map((item) => {
      const match = patch.find((candidate) => candidate.name === item?.name);
      return match ? merge(item, match) : item;
    });
    return [...merged, ...patch.filter((item) => !base.some((existing) => existing?.name === item.name))];
  }
  if (isMap(base) && isMap(patch)) {
    const merged = { ...base };
    for (const [key, value] of Object.entries(patch)) merged[key] = key in base ? merge(base[key], value) : value;
    return merged;
  }
  return structuredClone(patch);
}

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
