import { plainToInstance, TransformationType } from 'class-transformer';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';

// The registry class-transformer's decorators write to; its typed entry point does not export it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformerMetadata: MetadataStorage = require('class-transformer/cjs/storage').defaultMetadataStorage;

/** Thrown inside the walk where only class-transformer knows what to do; caught at the top. */
class Unsure extends Error {}

/** How a key of a plain value is copied onto an instance of a class (or onto a plain copy, for Object). */
type KeyRule = { skip: true } | { skip: false; nested?: new () => object };

const keyRules = new Map<Function, Map<string, KeyRule>>();
const checkedClasses = new Map<Function, boolean>();
const SKIP: KeyRule = { skip: true };
const COPY: KeyRule = { skip: false };
/** Targets class-transformer converts to by rules of their own (String(value), new Date(value)...). */
const BUILT_IN = new Set<unknown>([String, Number, Boolean, Date, Buffer, Map, Set, Promise, Array, Object]);

/**
 * What `plainToInstance(dto, plain)` makes of a JSON value (what a consumed message holds), by a
 * walk that looks each class's and key's decorators up once: every consumed message went through
 * class-transformer's generic walk, a tenth of some services' CPU. Whatever this walk is not sure
 * to do alike (a class with @Expose, @Exclude or @Transform, a @Type to a built-in or with a
 * discriminator, anything but plain objects, arrays and primitives) goes to class-transformer.
 * fast-validation.spec.ts holds the two to the same result, and checks that the walk, not the fallback, made it.
 */
export function toInstance<T extends object>(dto: new () => T, plain: object): T {
  try {
    return copyOnto(plain, dto) as T;
  } catch (error) {
    if (error instanceof Unsure) return plainToInstance(dto, plain);
    throw error;
  }
}

function copyOnto(value: unknown, target: (new () => object) | undefined): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) items.push(copyOnto(item, target));
    return items;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) throw new Unsure();
  const copy: Record<string, unknown> = target ? (new target() as Record<string, unknown>) : {};
  const rules = rulesOf(target ?? Object);
  for (const key of Object.keys(value)) {
    const rule = rules.get(key) ?? ruleFor(target ?? Object, key, copy, rules);
    if (!rule.skip) copy[key] = copyOnto((value as Record<string, unknown>)[key], rule.nested);
  }
  return copy;
}

function rulesOf(target: Function): Map<string, KeyRule> {
  if (!checkedClasses.has(target)) checkedClasses.set(target, target === Object || isPlainClass(target));
  if (!checkedClasses.get(target)) throw new Unsure();
  return keyRules.get(target) ?? keyRules.set(target, new Map()).get(target)!;
}

/** A class whose properties class-transformer copies by name, with @Type only to other classes. */
function isPlainClass(target: Function): boolean {
  return (
    transformerMetadata.getStrategy(target) === 'none' &&
    !transformerMetadata.getExposedProperties(target, TransformationType.PLAIN_TO_CLASS).length &&
    !transformerMetadata.getExcludedProperties(target, TransformationType.PLAIN_TO_CLASS).length
  );
}

/** As class-transformer decides for each key: skipped when it names a method or a getter of the target, else copied, as an instance of its @Type. */
function ruleFor(target: Function, key: string, instance: object, rules: Map<string, KeyRule>): KeyRule {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, key);
  let rule: KeyRule;
  if (key === '__proto__' || key === 'constructor' || (descriptor && !descriptor.set) || (instance as Record<string, unknown>)[key] instanceof Function) {
    rule = SKIP;
  } else if (target === Object) {
    rule = COPY;
  } else {
    if (transformerMetadata.findTransformMetadatas(target, key, TransformationType.PLAIN_TO_CLASS).length) throw new Unsure();
    const type = transformerMetadata.findTypeMetadata(target, key);
    if (!type) {
      rule = COPY;
    } else {
      // A type chosen from the value (a discriminator, a function reading its options) may differ from one value to the next.
      if (type.options?.discriminator || type.typeFunction.length || type.reflectedType === Set || type.reflectedType === Map) throw new Unsure();
      const nested = type.typeFunction();
      if (typeof nested !== 'function' || BUILT_IN.has(nested)) throw new Unsure();
      rule = { skip: false, nested: nested as new () => object };
    }
  }
  rules.set(key, rule);
  return rule;
}
