import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';
import { ID_MESSAGE, ID_PATTERN, MAX_ORDER_LINES, MAX_STOCK_UNITS } from '@fil/contracts';

/** `?skus=a,b` (or `?skus=a&skus=b`): the entries, trimmed; anything else is left for the checks to refuse. */
const commaSeparated = (map: (entry: string) => unknown) => ({ value }: { value: unknown }) =>
  typeof value === 'string' || (Array.isArray(value) && value.every((entry) => typeof entry === 'string'))
    ? [value].flat().flatMap((entries) => entries.split(',')).map((entry) => map(entry.trim()))
    : value;

const firstNonId = (skus: unknown) => (Array.isArray(skus) ? skus.find((sku) => !ID_PATTERN.test(sku)) : undefined);

/** The SKUs of a basket query: 1 to MAX_ORDER_LINES, refused naming the first outside ID_PATTERN. */
export const SkuList = () =>
  applyDecorators(
    Transform(commaSeparated((sku) => sku)),
    IsArray({ message: ({ property }) => `${property} must be comma-separated SKUs` }),
    ArrayMinSize(1),
    ArrayMaxSize(MAX_ORDER_LINES),
    ValidateBy({
      name: 'isIdEach',
      validator: {
        validate: (skus) => Array.isArray(skus) && firstNonId(skus) === undefined,
        defaultMessage: (args) => `${args?.property}: '${firstNonId(args?.value)}' ${ID_MESSAGE}`,
      },
    }),
  );

/** The quantities wanted of a basket query's `skus`, one each in the same order; absent, 1 each. */
export const QuantityList = () =>
  applyDecorators(
    IsOptional(),
    Transform(commaSeparated((quantity) => (/^\d+$/.test(quantity) ? Number(quantity) : quantity))),
    IsInt({ each: true, message: ({ property }) => `${property} must be comma-separated whole numbers` }),
    Min(1, { each: true }),
    Max(MAX_STOCK_UNITS, { each: true }),
    ValidateBy({
      name: 'oneForEachSku',
      validator: {
        validate: (quantities, args) => Array.isArray(quantities) && quantities.length === (args?.object as { skus?: unknown[] }).skus?.length,
        defaultMessage: () => 'quantities must have one entry per sku',
      },
    }),
  );
