import { BadRequestException, Param } from '@nestjs/common';
import { ID_MESSAGE, ID_PATTERN } from '@fil/contracts';

/** A path parameter that is a location id or a SKU: one outside ID_PATTERN names nothing, and is a 400 saying why, not a 404. */
export const IdParam = (name: string, label = name) =>
  Param(name, {
    transform(value: string) {
      if (!ID_PATTERN.test(value)) throw new BadRequestException(`${label} ${ID_MESSAGE}`);
      return value;
    },
  });
