import { ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Max, MaxLength, Min, ValidateNested, validateSync, type ValidationError } from 'class-validator';
import { IsId, MAX_ORDER_LINES } from '@fil/contracts';
import { documentFromChannelPolicies, SHORTAGE_POLICIES, type ChannelPolicy, type ModeOverrides, type PolicyDocument, type PolicyOverride } from '../routing-policy';

/** Far above any real cost per parcel or per km, so a typo of a few zeros is refused. */
const MAX_COST = 1_000_000;
const MAX_LISTED = 1_000;
const finite = { allowNaN: false, allowInfinity: false };

class BaseCostDto {
  @ApiPropertyOptional({ minimum: 0, example: 4 }) @IsOptional() @IsNumber(finite) @Min(0) @Max(MAX_COST) WAREHOUSE?: number;
  @ApiPropertyOptional({ minimum: 0, example: 6 }) @IsOptional() @IsNumber(finite) @Min(0) @Max(MAX_COST) STORE?: number;
}

class WeightsDto {
  @ApiPropertyOptional({ type: BaseCostDto, description: 'Cost of one shipment from a location of this type' })
  @IsOptional()
  @ValidateNested()
  @Type(() => BaseCostDto)
  baseCost?: BaseCostDto;

  @ApiPropertyOptional({ minimum: 0, example: 0.01 }) @IsOptional() @IsNumber(finite) @Min(0) @Max(MAX_COST) perKm?: number;
}

export class PolicyOverrideDto implements PolicyOverride {
  @ApiPropertyOptional({ type: WeightsDto }) @IsOptional() @ValidateNested() @Type(() => WeightsDto) weights?: WeightsDto;

  @ApiPropertyOptional({ enum: SHORTAGE_POLICIES, description: 'What cannot be served: backordered, or the order rejected' })
  @IsOptional()
  @IsIn(SHORTAGE_POLICIES, { message: `shortage must be one of ${SHORTAGE_POLICIES.join(', ')}` })
  shortage?: ChannelPolicy['shortage'];

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: 1, maximum: MAX_ORDER_LINES, description: 'Home delivery: shipments per decision at most; null = no cap' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ORDER_LINES)
  maxShipments?: number | null;

  @ApiPropertyOptional({ type: [String], description: 'Locations routing never sources from' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LISTED)
  @IsId({ each: true })
  excludedLocations?: string[];
}

class ModeOverridesDto implements ModeOverrides {
  @ApiPropertyOptional({ type: PolicyOverrideDto }) @IsOptional() @ValidateNested() @Type(() => PolicyOverrideDto) HOME_DELIVERY?: PolicyOverrideDto;
  @ApiPropertyOptional({ type: PolicyOverrideDto }) @IsOptional() @ValidateNested() @Type(() => PolicyOverrideDto) CLICK_AND_COLLECT?: PolicyOverrideDto;
  @ApiPropertyOptional({ type: PolicyOverrideDto }) @IsOptional() @ValidateNested() @Type(() => PolicyOverrideDto) E_RESERVATION?: PolicyOverrideDto;
}

class ChannelOverrideDto extends PolicyOverrideDto {
  @ApiPropertyOptional({ example: 'marketplace' }) @IsString() @IsNotEmpty() @MaxLength(100) channel: string;
  @ApiPropertyOptional({ type: ModeOverridesDto }) @IsOptional() @ValidateNested() @Type(() => ModeOverridesDto) modes?: ModeOverridesDto;
}

/** `PUT /routing/policies`: the whole document, stored as the next version. */
export class PolicyDocumentBody implements PolicyDocument {
  @ApiPropertyOptional({ type: PolicyOverrideDto, description: 'Every order' }) @IsOptional() @ValidateNested() @Type(() => PolicyOverrideDto) defaults?: PolicyOverrideDto;

  @ApiPropertyOptional({ type: ModeOverridesDto, description: 'Every order of a delivery mode, over the defaults' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ModeOverridesDto)
  modes?: ModeOverridesDto;

  @ApiPropertyOptional({ type: [ChannelOverrideDto], description: "A channel's orders, over the modes; its own `modes` over that" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LISTED)
  @ArrayUnique((policy: ChannelOverrideDto) => policy?.channel, { message: 'channels must name each channel once' })
  @ValidateNested({ each: true })
  @Type(() => ChannelOverrideDto)
  channels?: ChannelOverrideDto[];
}

/** What is wrong with `plain` as a policy document, as `path: rule` (empty when valid): the same rules as the HTTP boundary. */
export function policyDocumentProblems(plain: unknown): string[] {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return ['the policy document must be a JSON object'];
  const errors = validateSync(plainToInstance(PolicyDocumentBody, plain), { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return flatten(errors);
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    return [...Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`), ...flatten(error.children ?? [], path)];
  });
}

/**
 * FIL_ROUTING_POLICIES (JSON keyed by channel, `{"marketplace": {"shortage": "REJECT"}}`) as a
 * document, or undefined when unset. A malformed value stops the service at start-up rather
 * than routing with weights nobody chose.
 */
export function policyDocumentFromEnv(raw = process.env.FIL_ROUTING_POLICIES): PolicyDocument | undefined {
  if (!raw) return undefined;
  const parsed: unknown = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('FIL_ROUTING_POLICIES must be a JSON object keyed by channel');
  const document = documentFromChannelPolicies(parsed as Record<string, PolicyOverride>);
  const channels = Object.keys(parsed);
  const problems = policyDocumentProblems(document).map((problem) => problem.replace(/^channels\.(\d+)/, (_, index: string) => channels[Number(index)]));
  if (problems.length) throw new Error(`FIL_ROUTING_POLICIES: ${problems.join('; ')}`);
  return document;
}
