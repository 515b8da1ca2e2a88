import type { AllocationLine } from '@fil/contracts';
import type { OrderAllocation } from '../orders/order.entity';

/** Lines as a person reads them in a timeline: `2 × SKU-1, 1 × SKU-2`. */
export const describe = (lines: AllocationLine[]) => lines.map((line) => `${line.quantity} × ${line.sku}`).join(', ');

export const describeAllocations = (allocations: OrderAllocation[]) =>
  allocations.map((allocation) => `${allocation.kind} ${describe(allocation.lines)} from ${allocation.locationId}`).join('; ');
