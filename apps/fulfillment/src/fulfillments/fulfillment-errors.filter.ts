import { ArgumentsHost, BadRequestException, Catch, ConflictException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { OptimisticLockError } from '@mikro-orm/core';
import { FulfillmentStepRefused, InvalidFulfillmentStep } from './fulfillment.entity';

/** Turns the entity's refusals into HTTP answers that say why: 400 for bad data, 409 for the wrong state. */
@Catch(FulfillmentStepRefused, InvalidFulfillmentStep, OptimisticLockError)
export class FulfillmentErrorsFilter extends BaseExceptionFilter {
  override catch(error: Error, host: ArgumentsHost) {
    if (error instanceof InvalidFulfillmentStep) return super.catch(new BadRequestException(error.message), host);
    if (error instanceof OptimisticLockError) {
      return super.catch(new ConflictException('the fulfillment was changed at the same time, read it again and retry'), host);
    }
    return super.catch(new ConflictException(error.message), host);
  }
}
