import { integer, parsed } from '@fil/config';
import { parseTransitBands } from './promise-dates';

export const PROMISE_PROCESSING_HOURS = integer('FIL_PROMISE_PROCESSING_HOURS', { min: 0, max: 720, unit: 'hours', fallback: 4 }, 'Hours a location takes to prepare an order when its profile gives none (delivery promise).');
export const PROMISE_CUTOFF_HOUR = integer('FIL_PROMISE_CUTOFF_HOUR', { min: 0, max: 23, unit: 'hour of the day, UTC', fallback: 15 }, 'When a location gives none: what is ready from this hour on leaves the next day (delivery promise).');
export const PROMISE_TRANSIT_BANDS = parsed(
  'FIL_PROMISE_TRANSIT_BANDS',
  'comma-separated km:days bands, growing, the last *:days',
  '100:1,500:2,1500:3,*:5',
  'Transit days of a parcel or a transfer by distance (delivery promise, calendar days).',
  parseTransitBands,
);

export const promiseVariables = [PROMISE_PROCESSING_HOURS, PROMISE_CUTOFF_HOUR, PROMISE_TRANSIT_BANDS];
