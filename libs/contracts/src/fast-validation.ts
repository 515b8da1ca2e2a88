import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/**
 * validateAs's fast path for values that pass: the rules of a class's decorators, gathered
 * once per class, run straight. class-validator gathers them again at every call and builds
 * an error object per property, most of the cost of reading a message. It says only
 * "passes" or "not sure": anything else (a refusal, an async or unknown rule) goes to
 * class-validator, which explains the errors. So it must never pass what class-validator
 * refuses; fast-validation.spec.ts holds the two to the same verdict.
 */
export function passesValidation(instance: object): boolean {
  return passes(instance);
}

type Check = (object: object, value: unknown) => boolean;

interface PropertyRules {
  name: string;
  conditions: Check[];
  checks: Check[];
  nested: boolean;
}

const storage = getMetadataStorage();
const rulesByClass = new Map<Function, PropertyRules[] | undefined>();
const KNOWN_TYPES = new Set([ValidationTypes.CUSTOM_VALIDATION, ValidationTypes.NESTED_VALIDATION, ValidationTypes.CONDITIONAL_VALIDATION, ValidationTypes.IS_DEFINED]);

function passes(object: object): boolean {
  const rules = rulesOf(object.constructor);
  if (!rules) return false;
  for (const { name, conditions, checks, nested } of rules) {
    const value = (object as Record<string, unknown>)[name];
    // class-validator leaves a Promise to its async path.
    if (value instanceof Promise) return false;
    if (!conditions.every((condition) => condition(object, value))) continue;
    if (!checks.every((check) => check(object, value))) return false;
    if (nested && value !== undefined && !nestedPasses(value)) return false;
  }
  return true;
}

/** As class-validator walks a nested value: an array item by item, an object by its own class. Sets and maps (never in JSON) are left to it. */
function nestedPasses(value: unknown): boolean {
  if (Array.isArray(value)) return value.every((item) => item === undefined || nestedPasses(item));
  return value instanceof Object && !(value instanceof Set || value instanceof Map) && passes(value);
}

/** A class's rules by property; undefined when it has none (forbidUnknownValues refuses it) or one this path does not know. */
function rulesOf(target: Function): PropertyRules[] | undefined {
  if (rulesByClass.has(target)) return rulesByClass.get(target);
  const rules = gather(target);
  rulesByClass.set(target, rules);
  return rules;
}

function gather(target: Function): PropertyRules[] | undefined {
  const metadatas = storage.getTargetValidationMetadatas(target, '', false, false);
  if (!metadatas.length || metadatas.some((metadata) => !KNOWN_TYPES.has(metadata.type) || metadata.context)) return undefined;
  const rules: PropertyRules[] = [];
  for (const [name, own] of Object.entries(storage.groupByPropertyName(metadatas))) {
    const defined = own.filter(({ type }) => type === ValidationTypes.IS_DEFINED);
    const custom = own.filter(({ type }) => type === ValidationTypes.CUSTOM_VALIDATION);
    const checks = [...defined, ...custom].map(customCheck);
    if (checks.includes(undefined)) return undefined;
    rules.push({
      name,
      conditions: own.filter(({ type }) => type === ValidationTypes.CONDITIONAL_VALIDATION).map(({ constraints }) => constraints[0] as Check),
      checks: checks as Check[],
      nested: own.some(({ type }) => type === ValidationTypes.NESTED_VALIDATION),
    });
  }
  return rules;
}

/** One decorator's check, with the arguments class-validator passes (rules such as Matches read their constraints there). */
function customCheck(metadata: ValidationMetadata): Check | undefined {
  const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
  if (constraints.some(({ async }) => async)) return undefined;
  const validators = constraints.map(({ instance }) => instance);
  return (object, value) => {
    if (metadata.validateIf && !metadata.validateIf(object, value)) return true;
    const args: ValidationArguments = { targetName: object.constructor?.name, property: metadata.propertyName, object, value, constraints: metadata.constraints };
    if (metadata.each && (value instanceof Set || value instanceof Map)) return false;
    const items = metadata.each && Array.isArray(value) ? value : [value];
    // Anything but true (a promise, a truthy non-boolean) is left to class-validator.
    return validators.every((validator) => items.every((item) => validator.validate(item, args) === true));
  };
}
